"""`listing-helper demo`: the whole platform, once, on the sandbox marketplace, with a report at the end."""

from __future__ import annotations

import argparse

from orchestration import cli, pipeline
from orchestration.db import connection, migrate

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
        server = SandboxServer(world)
        server.start()
        pipeline.export_environment(pipeline.sandbox_environment(server))
        files = download_supply_files(server.base_url, pipeline.supply_folder())
        stage.done(f"{len(world.listings)} listings, {world.start_date} to {world.end_date}, "
                   f"{len(files)} supplier/BOM files at {server.base_url}")
    try:
        prepare_dagster_home()
        instance = dg.DagsterInstance.get()
        with cli.Stage("catalogue: listings, content, fees, stock, suppressions, search terms, suppliers") as stage:
            result = pipeline.run_job("spapi_snapshot_ingestion", instance)
            stage.done(f"{len(result.get_asset_materialization_events())} assets materialized")
        window = pipeline.days_to_ingest(instance, world.start_date, world.end_date)
        with cli.Stage(f"daily sales, traffic and orders {window[0]} to {window[1]}") as stage:
            result = pipeline.run_job("spapi_daily_ingestion", instance, pipeline.range_tags(*window))
            stage.done(f"{(window[1] - window[0]).days + 1} days (one report per day)")
        with cli.Stage("dbt build (models and tests)") as stage:
            pipeline.run_job("dbt_build", instance)
            stage.done("all models built, all tests passed")
    finally:
        server.stop()

    with connection.connect(url) as conn:
        lines = _ingestion_summary(conn)
    print("\nWhat landed")
    for line in lines:
        print(f"  {line}")
    print("\nNext: `listing-helper ui` shows the asset graph and these runs; `listing-helper db url` connects a BI tool.")
    return 0
