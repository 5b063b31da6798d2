"""`listing-helper demo`: the whole platform, once, on the sandbox marketplace, with a report at the end."""

from __future__ import annotations

import argparse

from orchestration import cli, pipeline, settings
from orchestration.db import connection, migrate
from orchestration.demo_marts import marts_summary
from orchestration.attribution.summary import demo_summary as attribution_summary
from orchestration.automation.demo import demo_summary as automation_summary
from orchestration.automation.demo import evaluate_rules_once
from orchestration.forecasting.summary import demo_summary as forecasting_summary
from orchestration.reporting.summary import demo_summary as reporting_summary
from orchestration.reporting.summary import write_default_exports
from orchestration.tasks.board import demo_summary as tasks_summary

DEMO_KEEPA_TOKENS_PER_MINUTE = 5000
DEMO_KEEPA_BUCKET = 50000
APPLICATION_SCHEMAS = ("catalog", "pricing", "analytics", "competitors", "inventory", "workflow", "reporting", "system", "raw")


def _count(conn, sql: str, params=()) -> int:
    return conn.execute(sql, params).fetchone()[0]


def _ingestion_summary(conn) -> list[str]:
    statuses = conn.execute("SELECT status, count(*) FROM catalog.listings GROUP BY 1 ORDER BY 2 DESC").fetchall()
    metric_days, metric_rows = conn.execute(
        "SELECT count(DISTINCT time), count(*) FROM analytics.performance_metrics").fetchone()
    quarantine = conn.execute(
        "SELECT coalesce(report_type, operation), count(*) FROM raw.quarantine WHERE resolved_at IS NULL "
        "GROUP BY 1 ORDER BY 2 DESC").fetchall()
    return [
        f"listings:            {sum(n for _, n in statuses)} ({', '.join(f'{n} {s}' for s, n in statuses)})",
        f"content versions:    {_count(conn, 'SELECT count(*) FROM catalog.listing_versions')} "
        f"({_count(conn, 'SELECT count(*) FROM catalog.listing_images')} images)",
        f"days of metrics:     {metric_days} days, {metric_rows} listing-days",
        f"price changes:       {_count(conn, 'SELECT count(*) FROM pricing.price_history')}",
        f"stock records:       {_count(conn, 'SELECT count(*) FROM inventory.stock')}",
        f"suppliers / BOM:     {_count(conn, 'SELECT count(*) FROM inventory.suppliers')} suppliers, "
        f"{_count(conn, 'SELECT count(*) FROM inventory.bill_of_materials')} BOM lines",
        f"search terms:        {_count(conn, 'SELECT count(*) FROM catalog.keywords')} keyword links",
        "quarantined rows:    " + (", ".join(f"{n} from {what}" for what, n in quarantine) if quarantine else "none"),
    ]


def _competitor_summary(conn) -> list[str]:
    tracked = _count(conn, "SELECT count(DISTINCT competitor_id) FROM competitors.tracking WHERE status <> 'ignored'")
    history = _count(conn, "SELECT count(*) FROM competitors.price_history")
    by_type = conn.execute(
        "SELECT alert_type, count(*) FILTER (WHERE severity IN ('high', 'critical')), count(*) "
        "FROM competitors.alerts WHERE status = 'new' GROUP BY 1 ORDER BY 3 DESC").fetchall()
    latest = conn.execute(
        """
        SELECT a.alert_type, a.severity, p.asin, coalesce(left(p.title, 50), ''), a.previous_value, a.new_value,
               a.change_pct, coalesce(a.event_at, a.created_at)::date
        FROM competitors.alerts a JOIN competitors.products p ON p.id = a.competitor_id
        WHERE a.status = 'new' AND a.severity IN ('high', 'critical')
        ORDER BY coalesce(a.event_at, a.created_at) DESC LIMIT 5
        """).fetchall()
    own = _count(conn, "SELECT count(*) FROM competitors.products WHERE is_own_asin")
    lines = [f"tracked competitors: {tracked} ({history} history points; Buy Box watched on {own} ASINs of yours)",
             "open alerts:         " + (", ".join(f"{n} {t} ({hi} high)" for t, hi, n in by_type) if by_type else "none")]
    for alert_type, severity, asin, title, old, new, pct, day in latest:
        change = f" {pct:+.1f}%" if pct is not None else ""
        lines.append(f"  {day} {severity:8} {alert_type:15} {asin} {title}: {old} -> {new}{change}")
    return lines


def run_demo(args: argparse.Namespace) -> int:
    import dagster as dg

    from orchestration.dagster_home import prepare_dagster_home
    from orchestration.sandbox import SandboxServer, build_world
    from orchestration.spapi.supply_files import download_supply_files

    print("Listing Helper demo: a simulated UK DIY & tools seller on the sandbox marketplace\n")
    url = cli._database_url()
    with cli.Stage("applying the schema (sql/timescale)") as stage:
        with connection.connect(url, autocommit=True) as conn:
            applied = migrate.migrate(conn)
            current = migrate.state(conn)
        stage.done(f"{len(applied)} migration(s) applied, {len(current.applied)} in the ledger, "
                   f"time series stored as {current.storage_mode}")

    with cli.Stage("starting the sandbox marketplace") as stage:
        world = build_world(seed=args.seed, listing_count=args.listings, days=args.days)
        # The sandbox stands for a large Keepa plan; the budget is told its refill rate (a real plan's
        # rate goes into the same settings).
        server = SandboxServer(world, faults={"keepa_tokens_per_minute": DEMO_KEEPA_TOKENS_PER_MINUTE,
                                              "keepa_token_bucket_max": DEMO_KEEPA_BUCKET})
        server.start()
        with connection.connect(url, autocommit=True) as conn:
            conn.execute("UPDATE system.settings SET value = to_jsonb(%s::int), updated_at = now() "
                         "WHERE key = 'sync.keepa.tokens_per_minute'", (DEMO_KEEPA_TOKENS_PER_MINUTE,))
            conn.execute("UPDATE system.settings SET value = to_jsonb(%s::int), updated_at = now() "
                         "WHERE key = 'sync.keepa.token_bucket_max'", (DEMO_KEEPA_BUCKET,))
        pipeline.export_environment(pipeline.sandbox_environment(server))
        files = download_supply_files(server.base_url, pipeline.supply_folder())
        stage.done(f"{len(world.listings)} listings, {world.start_date} to {world.end_date}, "
                   f"{len(files)} supplier/BOM files at {server.base_url}")
    try:
        pipeline.prepare_dbt_manifest()
        prepare_dagster_home()
        instance = dg.DagsterInstance.get()
        # Each run's events are in the Dagster instance (and UI); what jobs print goes to this file.
        log = settings.home_dir() / "logs" / "demo.log"
        # ---- history replay (sandbox only; attribution, docs/decisions/2026-11-26-attribution-history-replay.md) ----
        # A real install syncs daily, so listing versions and prices accumulate with their dates; the demo syncs
        # once at the end. On an empty catalogue this replays the window's changes through the same upserts.
        from orchestration.attribution.history_replay import replay_history
        with cli.Stage("history: listing versions and prices over the window, as daily syncs would have kept them") as stage:
            with connection.connect(url, autocommit=True) as conn:
                replayed = replay_history(conn, world)
            stage.done("already there" if "syncs" not in replayed else
                       f"{replayed['versions']} content versions, {replayed['price_rows']} prices, "
                       f"{replayed['syncs']} weekly syncs")
        # ---- end of history replay ----
        with cli.Stage("catalogue: listings, content, fees, stock, suppressions, search terms, suppliers") as stage:
            result = pipeline.run_job("spapi_snapshot_ingestion", instance, log_file=log)
            stage.done(f"{len(result.get_asset_materialization_events())} assets materialized")
        window = pipeline.days_to_ingest(instance, world.start_date, world.end_date)
        with cli.Stage(f"daily sales, traffic and orders {window[0]} to {window[1]}") as stage:
            result = pipeline.run_job("spapi_daily_ingestion", instance, pipeline.range_tags(*window), log_file=log)
            stage.done(f"{(window[1] - window[0]).days + 1} days (one report per day)")
        with cli.Stage("competitors from Keepa: discovery, price and rank history, alerts") as stage:
            pipeline.run_job("competitor_discovery", instance, log_file=log)
            stage.done("tracked competitors refreshed")
        with cli.Stage("dbt build: scores, landed costs, margins, threat (models, tests, write-backs)") as stage:
            # Days the marts never had, plus the trailing week the ingestion re-pulled: a second run rebuilds
            # a week, not the whole window.
            days = pipeline.days_to_ingest(instance, world.start_date, world.end_date,
                                           asset_key=("marts", "fct_listing_scores"))
            pipeline.run_job("dbt_build", instance, pipeline.range_tags(*days), log_file=log)
            stage.done(f"days {days[0]} to {days[1]}: all models built, all tests passed, values written back")
        with cli.Stage("forecasts, reorders and price suggestions") as stage:
            pipeline.run_job("forecasts_and_price_suggestions", instance, log_file=log)
            stage.done("90-day forecasts, reorder suggestions, suggested prices")
        with cli.Stage("attribution: what each content and price change did") as stage:
            pipeline.run_job("attribution", instance, log_file=log)
            stage.done("changes measured against unchanged listings of the same category")
        with cli.Stage("automation rules: evaluate once, act inside the guard rails") as stage:
            with connection.connect(url, autocommit=True) as conn:
                report = evaluate_rules_once(conn)
            stage.done(report.summary())
        with cli.Stage("reports: built-in exports and charts") as stage:
            with connection.connect(url, autocommit=True) as conn:
                stage.done(write_default_exports(conn).summary())
    finally:
        server.stop()

    with connection.connect(url) as conn:
        sections = [
            ("What landed", _ingestion_summary(conn)),
            ("Competitors", _competitor_summary(conn)),
            ("Scores, costs and margins (dbt marts)", marts_summary(conn)),
            ("What changes did (attribution)", attribution_summary(conn)),
            ("Automation rules", automation_summary(conn)),
            ("Open tasks by priority", tasks_summary(conn)),
            ("Forecasts, reorders and prices", forecasting_summary(conn)),
            ("Reports", reporting_summary(conn)),
        ]
    for heading, lines in sections:
        print(f"\n{heading}")
        for line in lines:
            print(f"  {line}")
    print("\nNext: `listing-helper ui` shows the asset graph and these runs; `listing-helper db url` connects a BI tool.")
    return 0
