"""Fixtures of the content template and rollback tests: one migrated database, one small sandbox marketplace,
and a listing in the database that mirrors a sandbox SKU's live content (rebuilt per test)."""

import datetime as dt

import psycopg
import pytest

from orchestration.db import migrate
from orchestration.sandbox import SandboxServer, build_world
from orchestration.spapi.client import SpApiConfig


@pytest.fixture(scope="session")
def migrated_db(scratch) -> str:
    url = scratch.create("lh_test_content")
    with psycopg.connect(url, autocommit=True) as conn:
        migrate.migrate(conn)
    return url


@pytest.fixture(scope="session")
def sandbox():
    with SandboxServer(build_world(seed=11, listing_count=12, days=20, end_date=dt.date(2026, 6, 30))) as server:
        yield server


@pytest.fixture(scope="session")
def spapi_config(sandbox) -> SpApiConfig:
    c = sandbox.credentials
    return SpApiConfig(lwa_app_id=c.lwa_app_id, lwa_client_secret=c.lwa_client_secret, refresh_token=c.refresh_token,
                       seller_id=c.seller_id, endpoint=sandbox.base_url, lwa_token_url=sandbox.lwa_token_url)


@pytest.fixture
def conn(migrated_db):
    with psycopg.connect(migrated_db, autocommit=True) as connection:
        # A few rows each: DELETE is quicker than a TRUNCATE cascading over every partitioned table.
        for table in ("workflow.alert_outbox", "workflow.task_events", "workflow.tasks", "workflow.rule_executions",
                      "workflow.automation_rules", "catalog.content_templates", "catalog.listing_versions",
                      "catalog.listing_images", "pricing.current_prices", "catalog.listings", "system.audit_log",
                      "raw.api_responses"):
            connection.execute(f"DELETE FROM {table}")
        connection.execute("UPDATE system.settings SET value = 'true' WHERE key = 'pricing.auto_change.dry_run'")
        yield connection


_used = set()


@pytest.fixture
def listing(conn, sandbox):
    """A sandbox SKU not edited by an earlier test, inserted with its live content; returns (row id, sandbox listing)."""
    world = sandbox.world
    lst = next(x for x in world.listings if not x.is_parent and x.twin_of < 0 and x.open_date <= world.end_date
               and x.sku not in _used and x.description)
    _used.add(lst.sku)
    content = world.content_on(lst.idx)
    listing_id = conn.execute(
        "INSERT INTO catalog.listings (asin, sku, title, brand, model_number, category_path, bullet_points, description, "
        "search_terms) VALUES (%s, %s, %s, %s, 'DX-18', ARRAY['Tools', 'Power Tools', 'Drills'], %s, %s, %s) "
        "RETURNING id::text",
        (lst.asin, lst.sku, content["title"], lst.brand, content["bullets"], content["description"],
         [content["search_terms"]])).fetchone()[0]
    return listing_id, lst
