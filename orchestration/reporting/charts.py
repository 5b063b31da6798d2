"""Charts where the seller would rather look than read: score trend, margin waterfall, our price against the
top rival's, and the attribution part's before/after charts (reused, not redrawn). PNGs into a folder."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import psycopg

SQL_DIR = Path(__file__).with_name("sql")
DPI = 100


@dataclass
class ChartRun:
    written: dict[str, Path] = field(default_factory=dict)     # chart name -> file
    skipped: dict[str, str] = field(default_factory=dict)      # chart name -> why


@lru_cache(maxsize=None)
def _sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()


def _figure(width: float = 8, height: float = 4.5):
    from matplotlib.backends.backend_agg import FigureCanvasAgg   # Agg: no display, no pyplot global state
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _save(figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", metadata={"Software": None})   # no version stamp: same data, same bytes
    path.write_bytes(buffer.getvalue())
    return path


def _has(conn: psycopg.Connection, table: str) -> bool:
    return conn.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone()[0]


def score_trend(conn: psycopg.Connection, folder: Path, days: int = 90) -> Path | str:
    if not _has(conn, "marts.fct_listing_scores"):
        return "marts.fct_listing_scores is not built yet (dbt build)"
    rows = conn.execute(_sql("score_trend"), {"days": days}).fetchall()
    if not rows:
        return "no listing scores yet"
    figure = _figure()
    ax = figure.add_subplot()
    dates = [r[0] for r in rows]
    ax.fill_between(dates, [r[2] for r in rows], [r[3] for r in rows], alpha=0.25, label="10th to 90th percentile")
    ax.plot(dates, [r[1] for r in rows], marker="o" if len(rows) < 30 else None, label="average score")
    ax.set_ylim(0, 100)
    ax.set_ylabel("listing score (0-100)")
    ax.set_title(f"Listing scores, {rows[-1][4]} listings on {dates[-1]:%d %b %Y}")
    ax.legend(loc="lower right")
    figure.autofmt_xdate()
    return _save(figure, folder / "score_trend.png")


def margin_waterfall(conn: psycopg.Connection, folder: Path) -> Path | str:
    if not _has(conn, "marts.fct_listing_margins"):
        return "marts.fct_listing_margins is not built yet (dbt build)"
    listings, price, vat, referral, fulfilment, landed, net = conn.execute(_sql("margin_waterfall")).fetchone()
    if not listings or price is None or net is None:
        return "no listing with a complete margin (landed cost and fees) yet"
    steps = [("VAT", vat or 0), ("referral fee", referral or 0), ("fulfilment", fulfilment or 0),
             ("landed cost", landed or 0)]
    other = price - sum(v for _, v in steps) - net
    if abs(other) >= 0.005:
        steps.append(("other costs", other))
    figure = _figure()
    ax = figure.add_subplot()
    labels, tops, values, level = ["price"], [price], [price], price
    ax.bar(0, price, color="#4c72b0")
    for i, (label, amount) in enumerate(steps, start=1):
        ax.bar(i, -amount, bottom=level, color="#c44e52")
        labels.append(label), tops.append(level), values.append(-amount)
        level -= amount
    ax.bar(len(labels), net, color="#55a868" if net >= 0 else "#c44e52")
    labels.append("net margin"), tops.append(max(net, 0)), values.append(net)
    for i, (top, value) in enumerate(zip(tops, values)):
        ax.annotate(f"{'-' if value < 0 else ''}£{abs(value):,.2f}", (i, top), ha="center", va="bottom",
                    fontsize=8, xytext=(0, 2), textcoords="offset points")
    ax.set_xticks(range(len(labels)), labels, rotation=20)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylim(min(0, net) * 1.15, price * 1.12)   # room for the labels above the bars
    ax.set_ylabel("£ per unit sold")
    ax.set_title(f"Where the price goes: average of {listings} listings at current prices")
    return _save(figure, folder / "margin_waterfall.png")


def competitor_prices(conn: psycopg.Connection, folder: Path, limit: int = 15) -> Path | str:
    if not _has(conn, "marts.fct_listing_competitor_threat"):
        return "marts.fct_listing_competitor_threat is not built yet (dbt build)"
    rows = conn.execute(_sql("competitor_prices"), {"limit": limit}).fetchall()
    if not rows:
        return "no listing with a priced rival yet"
    figure = _figure(8, max(3.0, 0.45 * len(rows) + 1.2))
    ax = figure.add_subplot()
    positions = range(len(rows))
    ax.barh([p - 0.2 for p in positions], [r[1] for r in rows], height=0.4, label="our price")
    ax.barh([p + 0.2 for p in positions], [r[2] for r in rows], height=0.4, label="top rival's price")
    ax.set_yticks(list(positions), [f"{r[0]} (threat {r[4]:.0f})" for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("£")
    ax.set_title("Our price against the most threatening rival")
    ax.legend(loc="lower right")
    return _save(figure, folder / "competitor_prices.png")


def attribution_before_after(conn: psycopg.Connection, folder: Path, limit: int = 6) -> dict[str, Path] | str:
    if not _has(conn, "analytics.attribution_charts"):
        return "analytics.attribution_charts does not exist"
    rows = conn.execute(_sql("attribution_charts"), {"limit": limit}).fetchall()
    if not rows:
        return "no attribution charts drawn yet"
    written = {}
    for sku, change_type, changed_on, png in rows:
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"attribution_{sku}_{change_type}_{changed_on}")
        path = folder / f"{stem}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes(png))
        written[stem] = path
    return written


def write_charts(conn: psycopg.Connection, folder: Path) -> ChartRun:
    """Every chart into `folder`; a chart without data is skipped with the reason, never drawn empty."""
    run = ChartRun()
    drawn = (("score_trend", score_trend(conn, folder)), ("margin_waterfall", margin_waterfall(conn, folder)),
             ("competitor_prices", competitor_prices(conn, folder)))
    for name, outcome in drawn:
        if isinstance(outcome, Path):
            run.written[name] = outcome
        else:
            run.skipped[name] = outcome
    attribution = attribution_before_after(conn, folder)
    if isinstance(attribution, dict):
        run.written.update(attribution)
    else:
        run.skipped["attribution_before_after"] = attribution
    return run
