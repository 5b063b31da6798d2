"""Plain-language lines about changes and their measured effects, for the CLI, reports and the demo."""

from __future__ import annotations

import psycopg

CHANGE_NAMES = {"title_update": "Title change", "bullet_update": "Bullet points change",
                "description_update": "Description change", "search_terms_update": "Search terms change",
                "image_add": "Image added", "image_update": "Images changed", "image_remove": "Image removed",
                "aplus_update": "A+ content change", "price_change": "Price change",
                "content_rollback": "Content rolled back", "other": "Finished task"}
OUTCOME_NAMES = {"sessions": "sessions", "conversion": "conversion", "units": "units sold", "revenue": "sales"}


def _signed(x: float, unit: str, digits: int = 0) -> str:
    return f"{x:+.{digits}f}{unit}".replace("-", "\u2212")


def effect_phrase(outcome: str, effect, low, high, pp=None, pp_low=None, pp_high=None, level: float = 0.9) -> str:
    """'conversion +0.9 pp (90% interval +0.2 to +1.6)' or 'units sold +12% (90% interval -3% to +29%)'."""
    name = OUTCOME_NAMES.get(outcome, outcome)
    if effect is None:
        return f"{name} not measurable"
    if pp is not None:
        return (f"{name} {_signed(pp, ' pp', 1)} ({level:.0%} interval {_signed(pp_low, '', 1)} to "
                f"{_signed(pp_high, ' pp', 1)})")
    return (f"{name} {_signed(100 * effect, '%')} ({level:.0%} interval {_signed(100 * low, '%')} to "
            f"{_signed(100 * high, '%')})")


def _change_label(change_type: str, day, diff: dict) -> str:
    label = f"{CHANGE_NAMES.get(change_type, change_type)} on {day:%-d %b %Y}"
    price = (diff or {}).get("price")
    if change_type == "price_change" and price and price.get("old") is not None:
        label += f" (\u00a3{float(price['old']):.2f} \u2192 \u00a3{float(price['new']):.2f})"
    return label


def sentence(analysis, diff: dict) -> str:
    """The seller's one line for a change: the sales verdict, plus any other outcome that moved clearly."""
    from orchestration.attribution.estimate import CI_LEVEL, PRIMARY_OUTCOME

    c = analysis.change
    parts = []
    ordered = [PRIMARY_OUTCOME] + [o for o in ("conversion", "sessions", "revenue") if o != PRIMARY_OUTCOME]
    for outcome in ordered:
        e = analysis.estimates[outcome]
        if outcome != PRIMARY_OUTCOME and e.verdict == "inconclusive":
            continue
        if e.effect is None:
            parts.append(f"not measurable yet: {e.reason}" if "after the change" in e.reason
                         else f"not measurable: {e.reason}")
            continue
        phrase = effect_phrase(outcome, e.effect, e.ci_low, e.ci_high, e.effect_pp, e.ci_low_pp, e.ci_high_pp,
                               CI_LEVEL)
        parts.append(f"{phrase}, {e.verdict}")
    text = f"{_change_label(c.change_type, c.day, diff)}: " + "; ".join(parts)
    if analysis.overlapping:
        text += f" [overlaps {len(analysis.overlapping)} other change(s) of this listing]"
    return text


LIST_SQL = """
select e.summary, l.sku, e.verdict, e.change_type, e.change_timestamp
from analytics.attribution_events e
join catalog.listings l on l.id = e.listing_id
where e.summary is not null
  and (%(sku)s::text is null or l.sku = %(sku)s)
  and (%(verdict)s::text is null or e.verdict = %(verdict)s
       or exists (select 1 from analytics.attribution_estimates x where x.event_id = e.id and x.verdict = %(verdict)s))
order by e.change_timestamp desc
limit %(limit)s
"""


def verdict_lines(conn: psycopg.Connection, sku: str | None = None, verdict: str | None = None,
                  limit: int = 50) -> list[str]:
    rows = conn.execute(LIST_SQL, {"sku": sku, "verdict": verdict, "limit": limit}).fetchall()
    return [f"{sku_}: {text}" for text, sku_, *_ in rows]


def demo_summary(conn: psycopg.Connection) -> list[str]:
    """The demo's closing lines on attribution: counts of verdicts, the sharpest results, what stayed unclear."""
    total, measured = conn.execute(
        "select count(*), count(*) filter (where verdict is not null) from analytics.attribution_events").fetchone()
    if not total:
        return ["no changes recorded yet (content versions, price changes, images, A+, finished tasks)"]
    by_type = conn.execute("select change_type, count(*) from analytics.attribution_events group by 1 "
                           "order by 2 desc").fetchall()
    by_verdict = dict(conn.execute("select verdict, count(*) from analytics.attribution_estimates "
                                   "where outcome_metric = 'units' group by 1").fetchall())
    by_outcome = conn.execute(
        "select outcome_metric, count(*) filter (where verdict = 'improved'), "
        "count(*) filter (where verdict = 'worsened'), count(*) from analytics.attribution_estimates group by 1 "
        "order by 1").fetchall()
    overlapping = conn.execute("select count(*) from analytics.attribution_events "
                               "where overlapping_changes <> '[]'").fetchone()[0]
    charts = conn.execute("select count(*) from analytics.attribution_charts").fetchone()[0]
    lines = [f"changes recorded:    {total} ({', '.join(f'{n} {t}' for t, n in by_type)})",
             f"units-sold verdicts: {by_verdict.get('improved', 0)} improved, {by_verdict.get('worsened', 0)} "
             f"worsened, {by_verdict.get('inconclusive', 0)} inconclusive (of {measured} measured; "
             f"{overlapping} overlap another change)",
             "by outcome:          " + ", ".join(f"{o} {i} up / {w} down of {n}" for o, i, w, n in by_outcome),
             f"charts:              {charts} before/after PNGs in analytics.attribution_charts"]
    sharp = conn.execute(
        "select l.sku, e.summary from analytics.attribution_events e join catalog.listings l on l.id = e.listing_id "
        "where e.verdict in ('improved', 'worsened') order by e.confidence desc nulls last, e.change_timestamp desc "
        "limit 3").fetchall()
    for sku, text in sharp:
        lines.append(f"  {sku}: {text}")
    return lines
