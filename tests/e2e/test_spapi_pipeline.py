"""End to end: the Dagster jobs fetch every report through the real SP-API client from the sandbox,
land raw rows and upsert the operational tables; re-runs, faults and a killed run behave."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import dagster as dg
import psycopg
import pytest

from orchestration import pipeline
from orchestration.sandbox import SandboxServer, build_world
from orchestration.spapi.client import listings_client
from orchestration.spapi.loading import RAW_TABLES
from orchestration.spapi.supply_files import download_supply_files

DAYS = 12


@pytest.fixture(scope="module")
def platform(scratch, tmp_path_factory):
    """A migrated database, a running sandbox (25 listings) and the environment pointing at both."""
    from orchestration.db import migrate

    url = scratch.create()
    with psycopg.connect(url, autocommit=True) as conn:
        migrate.migrate(conn)
    world = build_world(seed=11, listing_count=25, days=DAYS)
    server = SandboxServer(world)
    server.start()
    home = tmp_path_factory.mktemp("home")
    saved = dict(os.environ)
    os.environ.update({"LISTING_HELPER_DATABASE_URL": url, "LISTING_HELPER_HOME": str(home),
                       **pipeline.sandbox_environment(server)})
    download_supply_files(server.base_url, pipeline.supply_folder())
    instance = dg.DagsterInstance.ephemeral()
    pipeline.run_job("spapi_snapshot_ingestion", instance)
    pipeline.run_job("spapi_daily_ingestion", instance, pipeline.range_tags(world.start_date, world.end_date))
    yield {"url": url, "world": world, "server": server, "instance": instance}
    server.stop()
    os.environ.clear()
    os.environ.update(saved)


def _one(url: str, sql: str, params=()):
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchone()[0]


def _fingerprint(url: str, table: str, exclude: tuple[str, ...] = ()) -> tuple[int, str]:
    """Row count and an md5 over every row (minus the named columns), in a stable order."""
    with psycopg.connect(url) as conn:
        columns = [r[0] for r in conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
            "ORDER BY attnum", (table,)).fetchall() if r[0] not in exclude]
        projection = ", ".join(f'"{c}"' for c in columns)
        return conn.execute(
            f"SELECT count(*), md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) "
            f"FROM (SELECT {projection} FROM {table}) r").fetchone()


def test_every_report_type_lands_and_feeds_the_operational_tables(platform):
    url, world = platform["url"], platform["world"]
    buyable = [lst for lst in world.listings if lst.buyable]
    suppressed_today = sum(1 for lst in world.listings if world.suppression(lst.idx))
    for report_type, table in RAW_TABLES.items():
        assert _one(url, "SELECT count(*) FROM raw.report_documents WHERE report_type = %s AND row_count IS NOT NULL",
                    (report_type,)) > 0, f"no {report_type} document was loaded"
        rows = _one(url, f"SELECT count(*) FROM {table}")
        if report_type == "GET_MERCHANTS_LISTINGS_FYP_REPORT":
            assert rows == suppressed_today  # often none: a report with no rows is still a report
        else:
            assert rows > 0, f"{report_type} landed no rows"
    assert _one(url, "SELECT count(*) FROM catalog.listings") >= len(buyable)
    assert _one(url, "SELECT count(DISTINCT time) FROM analytics.performance_metrics") == DAYS
    # One listing's figures for one day, checked against the simulator's own numbers.
    day = world.end_date - timedelta(days=3)
    listing = buyable[0]
    expected_sessions = int(world.day(day).sessions[listing.idx])
    stored = _one(url, "SELECT m.sessions FROM analytics.performance_metrics m JOIN catalog.listings l "
                       "ON l.id = m.listing_id WHERE l.sku = %s AND m.report_date = %s", (listing.sku, day))
    assert stored == expected_sessions
    assert _one(url, "SELECT count(*) FROM catalog.listing_versions") >= len(buyable)
    assert _one(url, "SELECT count(*) FROM inventory.bill_of_materials") > 0


DAILY_TABLES = {
    "analytics.performance_metrics": (),
    "raw.spapi_sales_and_traffic": ("report_document_id", "_loaded_at"),
}
SNAPSHOT_TABLES = ["catalog.listing_versions", "catalog.listing_images", "pricing.price_history",
                   "catalog.keywords", "inventory.bill_of_materials", "inventory.component_prices"]


def test_rerunning_partitions_and_snapshots_changes_nothing(platform):
    url, world, instance = platform["url"], platform["world"], platform["instance"]
    before = {t: _fingerprint(url, t, ex) for t, ex in DAILY_TABLES.items()}
    before |= {t: _fingerprint(url, t) for t in SNAPSHOT_TABLES}
    pipeline.run_job("spapi_daily_ingestion", instance,
                     pipeline.range_tags(world.end_date - timedelta(days=4), world.end_date))
    pipeline.run_job("spapi_snapshot_ingestion", instance)
    after = {t: _fingerprint(url, t, ex) for t, ex in DAILY_TABLES.items()}
    after |= {t: _fingerprint(url, t) for t in SNAPSHOT_TABLES}
    assert after == before


def test_a_content_change_on_amazon_creates_exactly_one_new_version(platform):
    url, server, instance = platform["url"], platform["server"], platform["instance"]
    listing = next(lst for lst in platform["world"].listings if lst.buyable)
    c = server.credentials
    api = listings_client(pipeline.sandbox_spapi_config(server))
    new_title = "Heavy Duty Wood Screws 4 x 40 mm, Zinc Plated, Box of 200"
    api.patch_listings_item(c.seller_id, listing.sku, marketplaceIds=["A1F83G8C2ARO7P"], body={
        "productType": "PRODUCT", "patches": [{"op": "replace", "path": "/attributes/item_name",
                                                "value": [{"value": new_title, "marketplace_id": "A1F83G8C2ARO7P"}]}]})
    count = "SELECT count(*) FROM catalog.listing_versions v JOIN catalog.listings l ON l.id = v.listing_id WHERE l.sku = %s"
    versions_before = _one(url, count, (listing.sku,))
    all_before = _one(url, "SELECT count(*) FROM catalog.listing_versions")
    pipeline.run_job("spapi_snapshot_ingestion", instance)
    pipeline.run_job("spapi_snapshot_ingestion", instance)  # and again: still one
    assert _one(url, count, (listing.sku,)) == versions_before + 1
    twins = sum(1 for lst in platform["world"].listings if lst.asin == listing.asin)  # FBA+FBM offers share content
    assert _one(url, "SELECT count(*) FROM catalog.listing_versions") == all_before + twins
    assert _one(url, "SELECT title FROM catalog.listings WHERE sku = %s", (listing.sku,)) == new_title


def test_throttling_and_server_errors_are_retried_and_the_run_completes(platform):
    url, world, server, instance = platform["url"], platform["world"], platform["server"], platform["instance"]
    # getReport's rate (2/s) keeps the real waits short; the wait taken from the rate header itself is
    # pinned with a fake clock in tests/spapi/test_retry.py.
    server.set_faults({"throttle": {"getReport": {"first_n": 3, "fraction": 0.3}},
                       "server_errors": {"getReportDocument": {"nth": 2, "status": 500},
                                         "downloadDocument": {"first_n": 1, "status": 503}}})
    try:
        before = _fingerprint(url, "analytics.performance_metrics")
        pipeline.run_job("spapi_daily_ingestion", instance,
                         pipeline.range_tags(world.end_date - timedelta(days=2), world.end_date))
        assert _fingerprint(url, "analytics.performance_metrics") == before
    finally:
        server.set_faults({})


KILLED_RUN = """
from datetime import date
import dagster as dg
from orchestration import pipeline
pipeline.run_job("spapi_daily_ingestion", dg.DagsterInstance.ephemeral(),
                 pipeline.range_tags(date.fromisoformat({first!r}), date.fromisoformat({last!r})))
"""


def _partial_documents(url: str) -> list[str]:
    """Documents whose raw rows are neither all there nor absent."""
    partial = []
    with psycopg.connect(url) as conn:
        for report_type, table in RAW_TABLES.items():
            rows = conn.execute(
                f"SELECT d.report_document_id, d.row_count, d.quarantined_count, count(t.line_number) "
                f"FROM raw.report_documents d LEFT JOIN {table} t USING (report_document_id) "
                f"WHERE d.report_type = %s GROUP BY 1, 2, 3", (report_type,)).fetchall()
            for document, row_count, quarantined, landed in rows:
                expected = 0 if row_count is None else row_count - quarantined
                if landed not in (0, expected):
                    partial.append(document)
    return partial


def test_a_killed_run_leaves_no_partial_rows_and_the_next_run_completes(scratch, tmp_path, monkeypatch):
    from orchestration.db import migrate

    url = scratch.create()
    with psycopg.connect(url, autocommit=True) as conn:
        migrate.migrate(conn)
    world = build_world(seed=12, listing_count=25, days=30)
    with SandboxServer(world, faults={"delay_seconds": {"downloadDocument": 0.15}}) as server:
        env = {**os.environ, "LISTING_HELPER_DATABASE_URL": url, "LISTING_HELPER_HOME": str(tmp_path),
               **pipeline.sandbox_environment(server)}
        for key, value in env.items():
            if key.startswith("LISTING_HELPER_"):
                monkeypatch.setenv(key, value)
        download_supply_files(server.base_url, pipeline.supply_folder())
        pipeline.run_job("spapi_snapshot_ingestion", dg.DagsterInstance.ephemeral())  # the catalogue first
        script = KILLED_RUN.format(first=world.start_date.isoformat(), last=world.end_date.isoformat())
        process = subprocess.Popen([sys.executable, "-c", script], env=env, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while _one(url, "SELECT count(*) FROM raw.report_documents "
                        "WHERE report_type = 'GET_SALES_AND_TRAFFIC_REPORT'") < 5:  # mid-way through the days
            assert process.poll() is None and time.monotonic() < deadline, "the run ended before it could be killed"
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        loaded_days = _one(url, "SELECT count(DISTINCT report_date) FROM raw.spapi_sales_and_traffic")
        assert 0 < loaded_days < 30
        assert _partial_documents(url) == []

        pipeline.run_job("spapi_daily_ingestion", dg.DagsterInstance.ephemeral(),
                         pipeline.range_tags(world.start_date, world.end_date))
    assert _partial_documents(url) == []
    assert _one(url, "SELECT count(DISTINCT time) FROM analytics.performance_metrics") == 30
