"""A small world for the task board: three listings with revenue, scores and top fixes in mart tables shaped like
the dbt contracts (no dbt build), one migrated database for the directory, rebuilt per test."""

import datetime as dt

import psycopg
import pytest
from psycopg import sql

from orchestration.automation.marts import MART_COLUMNS
from orchestration.db import migrate

TODAY = dt.datetime.now(dt.timezone.utc).date()
# sku: (revenue per day GBP, total score, top fix points, has Buy Box)
LISTINGS = {"DRILL-1": (100, 60, 6.0, True), "SCREWS-1": (5, 60, 6.0, True), "SAW-1": (50, 90, None, False)}


@pytest.fixture(scope="session")
def migrated_db(scratch) -> str:
    url = scratch.create("lh_test_tasks")
    with psycopg.connect(url, autocommit=True) as conn:
        migrate.migrate(conn)
        conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
        for name, columns in MART_COLUMNS.items():
            columns = dict(columns)
            if name == "fct_listing_performance_daily":
                columns["ordered_product_sales_gbp"] = "numeric"
            cols = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in columns.items())
            conn.execute(sql.SQL("CREATE TABLE marts.{} ({})").format(sql.Identifier(name), cols))
    return url


@pytest.fixture
def conn(migrated_db):
    with psycopg.connect(migrated_db, autocommit=True) as connection:
        connection.execute("""TRUNCATE workflow.alert_outbox, workflow.rule_executions, workflow.task_events,
            workflow.tasks, analytics.attribution_estimates, analytics.attribution_events, pricing.price_changes,
            pricing.current_prices, catalog.listing_versions, system.audit_log CASCADE""")
        connection.execute("DELETE FROM workflow.automation_rules")
        connection.execute("DELETE FROM catalog.listings")
        connection.execute(sql.SQL("TRUNCATE {}").format(
            sql.SQL(", ").join(sql.Identifier("marts", n) for n in MART_COLUMNS)))
        for i, (sku, (revenue, score, fix_points, buy_box)) in enumerate(LISTINGS.items()):
            lid = connection.execute("INSERT INTO catalog.listings (asin, sku, title, status) VALUES (%s, %s, %s, "
                                     "'active') RETURNING id", (f"B0TASK{i:04d}", sku, f"Listing {sku}")).fetchone()[0]
            connection.execute("INSERT INTO pricing.current_prices (listing_id, price, has_buy_box) VALUES (%s, 10, %s)",
                               (lid, buy_box))
            connection.execute("INSERT INTO marts.fct_listing_scores (listing_id, score_date, total_score) "
                               "VALUES (%s, %s, %s)", (lid, TODAY - dt.timedelta(days=1), score))
            if fix_points is not None:
                connection.execute("INSERT INTO marts.fct_listing_top_fixes VALUES (%s, 'Add 3 more images', %s, 1)",
                                   (lid, fix_points))
            # 40 days of revenue: only the last 28 count
            connection.execute("INSERT INTO marts.fct_listing_performance_daily (listing_id, metric_date, was_reported, "
                               "sessions, units_ordered, buy_box_pct, ordered_product_sales_gbp) "
                               "SELECT %s, %s::date - d, true, 10, 1, 90, %s FROM generate_series(0, 39) d",
                               (lid, TODAY, revenue))
        yield connection


@pytest.fixture
def skus(conn):
    return dict(conn.execute("SELECT sku, id::text FROM catalog.listings").fetchall())
