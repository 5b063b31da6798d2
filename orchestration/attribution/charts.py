"""Before/after chart per change (PNG): the listing, the control listings scaled to it, and the interval."""

from __future__ import annotations

import io
import textwrap

import numpy as np
import psycopg

from orchestration.attribution import summary


def render(analysis, diff: dict | None = None) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = analysis.series
    days = s["days"]
    fig, ax = plt.subplots(figsize=(7.5, 3.4), dpi=90)
    week = np.ones(7)

    def smooth(y):
        """Centred 7-day mean; near the ends, the mean of the days there are (no dip towards zero)."""
        y = np.asarray(y, float)
        if len(y) < 7:
            return y
        return np.convolve(y, week, mode="same") / np.convolve(np.ones_like(y), week, mode="same")

    ax.plot(days, smooth(s["treated"]), color="#1f5fa8", lw=2, label="this listing (7-day average)")
    ax.plot(days, smooth(s["control"]), color="#888888", lw=1.5, ls="--",
            label="expected from unchanged listings")
    if s.get("band") is not None:
        post = np.array([d > s["change_day"] for d in days])
        low, high = (smooth(b) for b in s["band"])
        ax.fill_between(np.array(days)[post], low[post], high[post], color="#1f5fa8", alpha=0.15,
                        label="expected with the measured effect (90% interval)")
    ax.axvline(s["change_day"], color="#c0392b", lw=1)
    ax.set_ylabel("units sold per day")
    title = summary.sentence(analysis, diff or {}).split("; ")[0]
    ax.set_title("\n".join(textwrap.wrap(title, 95)), fontsize=8.5, loc="left")
    ax.legend(fontsize=7, loc="upper left", frameon=False)
    ax.tick_params(labelsize=7)
    fig.autofmt_xdate()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def pick(analyses: list, limit: int) -> list:
    """Clear verdicts first (by confidence), then the most recent changes."""
    ranked = sorted((a for a in analyses if a.series),
                    key=lambda a: (a.primary.verdict == "inconclusive", -a.primary.confidence,
                                   -a.change.day.toordinal()))
    return ranked[:limit]


def store_charts(conn: psycopg.Connection, analyses: list, diffs: dict[str, dict]) -> int:
    """Draw the charts whose measurement changed since they were drawn (or never were); returns how many."""
    drawn = dict(conn.execute("select event_id::text, drawn_for from analytics.attribution_charts").fetchall())
    rows = []
    for a in analyses:
        text = summary.sentence(a, diffs.get(a.change.key) or {})
        if drawn.get(a.change.key) != text:
            rows.append((a.change.key, render(a, diffs.get(a.change.key)), text))
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany("insert into analytics.attribution_charts (event_id, png, drawn_for) values (%s, %s, %s) "
                        "on conflict (event_id) do update set png = excluded.png, drawn_for = excluded.drawn_for, "
                        "created_at = now()", rows)
    return len(rows)
