"""Record every listing change as an attribution event, measure each one and write the verdicts back."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path

import psycopg
from psycopg.types.json import Jsonb

from orchestration.attribution import estimate, summary
from orchestration.attribution.panel import load_panel

SQL_DIR = Path(__file__).with_name("sql")
_NAME = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)
EVENT_STATEMENTS = ("content_versions", "prices", "images_and_aplus", "link_tasks", "tasks")

EVENTS_SQL = """
select e.id::text, e.listing_id::text, e.change_type, (e.change_timestamp at time zone 'Europe/London')::date,
       e.change_diff
from analytics.attribution_events e
order by e.change_timestamp, e.id
"""


@cache
def statements(file: str) -> dict[str, str]:
    parts = _NAME.split((SQL_DIR / f"{file}.sql").read_text(encoding="utf-8"))
    return dict(zip(parts[1::2], (body.strip().rstrip(";") for body in parts[2::2])))


def record_events(conn: psycopg.Connection) -> dict[str, int]:
    """Upsert events from listing versions, observed prices, audit rows (images, A+) and finished tasks."""
    counts = {}
    with conn.transaction():
        for name in EVENT_STATEMENTS:
            counts[name] = conn.execute(statements("events")[name]).rowcount
    return counts


def load_changes(conn: psycopg.Connection) -> tuple[list[estimate.Change], dict[str, dict]]:
    changes, diffs = [], {}
    for event_id, listing_id, change_type, day, diff in conn.execute(EVENTS_SQL).fetchall():
        changes.append(estimate.Change(event_id, listing_id, change_type, day, change_type == "price_change"))
        diffs[event_id] = diff or {}
    return changes, diffs


def measure(conn: psycopg.Connection, *, charts: int = 60, analysis_date: dt.date | None = None) -> dict:
    """Record events, estimate all of them, write estimates, verdicts and up to `charts` PNGs. Idempotent."""
    counts = record_events(conn)
    changes, diffs = load_changes(conn)
    if not changes:
        return {"events": 0, **counts}
    panel = load_panel(conn)
    analyses = estimate.analyse_changes(panel, changes, keep_series=charts > 0)
    written = write_analyses(conn, analyses, diffs, analysis_date or dt.date.today())
    chart_rows = 0
    if charts > 0:
        from orchestration.attribution import charts as charting
        chart_rows = charting.store_charts(conn, charting.pick(analyses, charts), diffs)
    verdicts = {}
    for a in analyses:
        verdicts[a.primary.verdict] = verdicts.get(a.primary.verdict, 0) + 1
    return {"events": len(changes), "estimated": written, "charts": chart_rows, **counts,
            **{f"verdict_{k}": v for k, v in sorted(verdicts.items())}}


def _pct(x):
    return None if x is None else round(float(x) * 100, 2)


def _clip(x, bound):
    return None if x is None else max(-bound, min(bound, x))


def write_analyses(conn: psycopg.Connection, analyses: list[estimate.EventAnalysis], diffs: dict[str, dict],
                   analysis_date: dt.date) -> int:
    event_rows, estimate_rows = [], []
    for a in analyses:
        p = a.primary
        event_rows.append((
            a.change.key, Jsonb(a.metrics_before), Jsonb(a.metrics_after),
            _clip(_pct(p.effect), 999.99), p.confidence, estimate.PRIMARY_OUTCOME, estimate.METHOD,
            _clip(_pct(p.effect), 999999), _clip(_pct(p.ci_low), 999999), _clip(_pct(p.ci_high), 999999),
            estimate.CI_LEVEL, _clip(_pct(p.mde), 999999), len(a.inputs["control_listing_ids"]), p.verdict,
            analysis_date, p.reason, Jsonb(a.overlapping), estimate.METHOD_VERSION,
            summary.sentence(a, diffs.get(a.change.key, {}))))
        for e in a.estimates.values():
            estimate_rows.append((
                a.change.key, e.outcome, estimate.METHOD, estimate.METHOD_VERSION,
                _clip(_pct(e.effect), 9999999), _clip(_pct(e.ci_low), 9999999), _clip(_pct(e.ci_high), 9999999),
                _clip(None if e.effect_pp is None else round(e.effect_pp, 3), 99999),
                _clip(None if e.ci_low_pp is None else round(e.ci_low_pp, 3), 99999),
                _clip(None if e.ci_high_pp is None else round(e.ci_high_pp, 3), 99999),
                estimate.CI_LEVEL, None if e.p_value is None else round(e.p_value, 5), _clip(_pct(e.mde), 9999999),
                _clip(_pct(e.placebo_effect), 9999999), e.placebo_passed,
                estimate.CROSS_CHECK if e.cross_check_effect is not None else None,
                _clip(_pct(e.cross_check_effect), 9999999), e.cross_check_agrees, e.confidence, e.verdict,
                e.reason, Jsonb(a.metrics_before), Jsonb(a.metrics_after), Jsonb(a.inputs)))
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany("""
            update analytics.attribution_events
            set metrics_before = %s, metrics_after = %s, impact_score = %s, confidence = %s, outcome_metric = %s,
                method = %s, effect_pct = %s, effect_ci_low_pct = %s, effect_ci_high_pct = %s, ci_level = %s,
                mde_pct = %s, control_listings = %s, verdict = %s, analysis_date = %s, analysis_notes = %s,
                overlapping_changes = %s, method_version = %s, summary = %s
            where id = %s""", [row[1:] + (row[0],) for row in event_rows])
        cur.executemany("""
            insert into analytics.attribution_estimates
                (event_id, outcome_metric, method, method_version, effect_pct, effect_ci_low_pct, effect_ci_high_pct,
                 effect_pp, effect_ci_low_pp, effect_ci_high_pp, ci_level, p_value, mde_pct, placebo_effect_pct,
                 placebo_passed, cross_check_method, cross_check_effect_pct, cross_check_agrees, confidence, verdict,
                 verdict_reason, metrics_before, metrics_after, inputs)
            values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
            on conflict (event_id, outcome_metric) do update
            set method = excluded.method, method_version = excluded.method_version, effect_pct = excluded.effect_pct,
                effect_ci_low_pct = excluded.effect_ci_low_pct, effect_ci_high_pct = excluded.effect_ci_high_pct,
                effect_pp = excluded.effect_pp, effect_ci_low_pp = excluded.effect_ci_low_pp,
                effect_ci_high_pp = excluded.effect_ci_high_pp, ci_level = excluded.ci_level,
                p_value = excluded.p_value, mde_pct = excluded.mde_pct,
                placebo_effect_pct = excluded.placebo_effect_pct, placebo_passed = excluded.placebo_passed,
                cross_check_method = excluded.cross_check_method,
                cross_check_effect_pct = excluded.cross_check_effect_pct,
                cross_check_agrees = excluded.cross_check_agrees, confidence = excluded.confidence,
                verdict = excluded.verdict, verdict_reason = excluded.verdict_reason,
                metrics_before = excluded.metrics_before, metrics_after = excluded.metrics_after,
                inputs = excluded.inputs, analysed_at = now()""", estimate_rows)
    return len(event_rows)
