"""A small world for the report tests: the mart tables the templates read, created with every column and type of
their dbt contracts (dbt_project/models/marts/**/_*__models.yml), a few listings, alerts, attribution and tasks.

The marts are plain tables in schema `marts`, so the templates' real SQL runs against the contract's columns
without a dbt build (test_templates_on_dbt_marts.py covers the dbt-built marts)."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from dataclasses import dataclass, field

import psycopg
import yaml
from psycopg import sql

from orchestration import settings

TODAY = dt.date(2026, 11, 20)           # a Friday; a fixed calendar keeps every expected row the same
MARTS = ("fct_listing_performance_weekly", "fct_listing_margins", "fct_listing_competitor_threat",
         "fct_listing_scores")


def contract_columns() -> dict[str, dict[str, str]]:
    """{mart: {column: data_type}} from the contracts in the dbt project."""
    found: dict[str, dict[str, str]] = {}
    for path in (settings.DBT_PROJECT_DIR / "models" / "marts").glob("*/_*__models.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            found[model["name"]] = {c["name"]: c["data_type"] for c in model.get("columns", []) if "data_type" in c}
    return found


@dataclass
class World:
    listings: dict[str, str] = field(default_factory=dict)     # sku -> id
    tasks: dict[str, str] = field(default_factory=dict)        # title -> id
    chart_png: bytes = b""


def create_marts(conn: psycopg.Connection) -> None:
    columns = contract_columns()
    for name in MARTS:
        cols = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in columns[name].items())
        conn.execute(sql.SQL("DROP TABLE IF EXISTS marts.{}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE TABLE marts.{} ({})").format(sql.Identifier(name), cols))


def tiny_png() -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(1, 1), dpi=20)
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def build(conn: psycopg.Connection) -> World:
    world = World()
    create_marts(conn)
    skus = ["DRILL-18V", "SAW-BLADE-10", "TAPE-5M"]
    for i, sku in enumerate(skus):
        lid = str(uuid.uuid4())
        world.listings[sku] = lid
        conn.execute("INSERT INTO catalog.listings (id, asin, sku, title) VALUES (%s, %s, %s, %s)",
                     (lid, f"B0TEST{i:04d}", sku, f"Listing {sku}"))
    drill, saw, tape = (world.listings[s] for s in skus)

    # Weekly performance: four Monday weeks up to TODAY's week, the last one partial.
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    for sku, lid in world.listings.items():
        for w in range(4):
            start = monday - dt.timedelta(weeks=w)
            full = w > 0
            conn.execute("""INSERT INTO marts.fct_listing_performance_weekly (listing_id, week_start_date, iso_year,
                iso_week, days_in_history, days_reported, is_full_week, sessions, page_views, units_ordered,
                ordered_product_sales_gbp, ordered_product_sales_ex_vat_gbp, conversion_fraction, buy_box_pct)
                VALUES (%s, %s, %s, %s, %s, %s, %s, 100, 150, 10, 199.90, 166.58, 0.1, 95.5)""",
                (lid, start, start.isocalendar()[0], start.isocalendar()[1], 7 if full else 5, 7 if full else 5, full))

    # Margins (net = price - VAT - 15 % referral - 3.20 fulfilment - landed, as the mart computes it): the saw
    # blade is under its floor, the tape measure's margin is incomplete (no landed cost).
    for lid, price, landed, net, pct, meets, complete in (
            (drill, "59.99", "20.00", "17.79", "29.65", True, True),
            (saw, "12.99", "6.10", "-0.43", "-3.31", False, True),
            (tape, "8.49", None, None, None, None, False)):
        conn.execute("""INSERT INTO marts.fct_listing_margins (listing_id, fulfillment_channel, current_price_gbp,
            output_vat_gbp, referral_fee_gbp, fulfilment_cost_gbp, landed_cost_gbp, net_margin_gbp, net_margin_pct,
            margin_floor_pct, meets_margin_floor, margin_is_complete, priced_on)
            VALUES (%s, 'FBA', %s, round(%s::numeric / 6, 2), round(%s::numeric * 0.15, 2), 3.20, %s, %s, %s, 15,
                    %s, %s, %s)""",
            (lid, price, price, price, landed, net, pct, meets, complete, TODAY))

    # Scores over a week, rising.
    conn.execute("""INSERT INTO marts.fct_listing_scores (listing_id, score_date, total_score)
                    SELECT l, %s::date - d, 70 + (6 - d) + k FROM unnest(%s::uuid[]) WITH ORDINALITY AS u(l, k),
                    generate_series(0, 6) d""", (TODAY, [drill, saw, tape]))

    # Competitors: one rival undercutting the drill (top threat), one other rival on the drill, not the top.
    rival, other = str(uuid.uuid4()), str(uuid.uuid4())
    conn.execute("INSERT INTO competitors.products (id, asin, title, brand) VALUES (%s, 'B0RIVAL001', 'Rival drill', "
                 "'Acme'), (%s, 'B0RIVAL002', 'Other drill', 'Bolt')", (rival, other))
    for cid, asin, price, score, top in ((rival, "B0RIVAL001", "54.99", "71.5", True),
                                         (other, "B0RIVAL002", "64.99", "20.0", False)):
        conn.execute("""INSERT INTO marts.fct_listing_competitor_threat (listing_id, competitor_id, sku, asin,
            rival_asin, rival_title, our_price_gbp, rival_price_gbp, undercut_pct, threat_score, threat_level,
            is_top_threat_for_listing) VALUES (%s, %s, 'DRILL-18V', 'B0TEST0000', %s, 'Rival drill', 59.99, %s,
            8.33, %s, 'high', %s)""", (drill, cid, asin, price, score, top))
    at = dt.datetime.combine(TODAY, dt.time(9), dt.timezone.utc)
    for alert_type, severity, days_ago, affected in (("price_drop", "high", 1, [drill]),
                                                     ("out_of_stock", "medium", 3, [drill, saw]),
                                                     ("bsr_change", "low", 2, [saw]),
                                                     ("price_drop", "critical", 30, [drill])):
        conn.execute("""INSERT INTO competitors.alerts (competitor_id, alert_type, severity, affected_listings,
                        previous_value, new_value, change_pct, created_at) VALUES (%s, %s, %s, %s, '59.99', '54.99',
                        -8.33, %s)""", (rival, alert_type, severity, affected, at - dt.timedelta(days=days_ago)))

    # Attribution: a title change on the drill 20 days ago (units improved, sessions inconclusive) with a chart,
    # and a price change on the saw 200 days ago (outside the default 90 days).
    for lid, change, days_ago, outcomes in ((drill, "title_update", 20, (("units", "improved"), ("sessions", "inconclusive"))),
                                            (saw, "price_change", 200, (("units", "worsened"),))):
        eid = conn.execute("""INSERT INTO analytics.attribution_events (listing_id, change_type, change_timestamp,
                              overlapping_changes, summary) VALUES (%s, %s, %s, '[]', 'a change') RETURNING id""",
                           (lid, change, at - dt.timedelta(days=days_ago))).fetchone()[0]
        for metric, verdict in outcomes:
            conn.execute("""INSERT INTO analytics.attribution_estimates (event_id, outcome_metric, method, method_version,
                            effect_pct, effect_ci_low_pct, effect_ci_high_pct, ci_level, verdict, inputs)
                            VALUES (%s, %s, 'diff_in_diff_poisson', 'v1', 12.5, 3.0, 22.0, 0.90, %s, '{}')""",
                         (eid, metric, verdict))
        if lid == drill:
            world.chart_png = tiny_png()
            conn.execute("INSERT INTO analytics.attribution_charts (event_id, png, drawn_for) VALUES (%s, %s, 'x')",
                         (eid, world.chart_png))

    # Tasks: two open (one overdue), one done.
    done_stage = conn.execute("SELECT id FROM workflow.kanban_stages WHERE is_terminal LIMIT 1").fetchone()[0]
    for title, task_type, priority, due, lid, done in (
            ("Add 3 more images", "optimization", 80, TODAY - dt.timedelta(days=2), drill, False),
            ("Review saw blade price", "pricing", 60, TODAY + dt.timedelta(days=5), saw, False),
            ("Fix tape title", "optimization", 90, TODAY - dt.timedelta(days=9), tape, True)):
        tid = conn.execute("INSERT INTO workflow.tasks (title, task_type, priority_score, due_date, listing_id, "
                           "created_at) VALUES (%s, %s, %s, %s, %s, %s) RETURNING id::text",
                           (title, task_type, priority, due, lid, at - dt.timedelta(days=10))).fetchone()[0]
        if done:
            conn.execute("UPDATE workflow.tasks SET stage_id = %s WHERE id = %s", (done_stage, tid))
        world.tasks[title] = tid
    return world
