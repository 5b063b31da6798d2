"""A tiny world for the rules engine: a few listings, prices, stock, and the mart tables the engine reads.

The marts are created as plain tables in schema `marts` with the contract column names and types
(orchestration.automation.marts.MART_COLUMNS, from dbt_project/models/marts/**/_*__models.yml), so the
engine runs its real SQL against them without a dbt build.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

import psycopg
from psycopg import sql

from orchestration.automation.marts import MART_COLUMNS

TODAY = dt.date(2026, 11, 20)
AS_OF = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.timezone.utc)


@dataclass
class TinyListing:
    sku: str
    price: str
    score: float | None = 80
    floor: str | None = "8.00"
    stock: int = 100
    units_per_day: int = 1
    rival_price: str | None = None
    max_price: str | None = None
    status: str = "active"
    tags: tuple = ()
    id: str = ""


def listings_default() -> list[TinyListing]:
    return [
        TinyListing("LOW-SCORE-1", "12.00", score=55),
        TinyListing("GOOD-1", "12.00", score=92),
        TinyListing("UNDERCUT-1", "20.00", score=85, floor="15.00", rival_price="17.00", max_price="25.00"),
        TinyListing("LOW-STOCK-1", "10.00", score=88, stock=3, units_per_day=2),
        TinyListing("INACTIVE-LOW", "9.00", score=40, status="inactive"),
    ]


def create_marts(conn: psycopg.Connection) -> None:
    """The mart tables, created once per database and emptied on every build."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
    for name, columns in MART_COLUMNS.items():
        cols = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in columns.items())
        conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS marts.{} ({})").format(sql.Identifier(name), cols))
    conn.execute(sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(sql.Identifier("marts", n) for n in MART_COLUMNS)))


def reset(conn: psycopg.Connection) -> None:
    conn.execute("""TRUNCATE workflow.alert_outbox, workflow.rule_executions, workflow.task_events, workflow.tasks,
                    pricing.price_changes, pricing.current_prices, pricing.price_history, inventory.stock,
                    competitors.alerts, competitors.products, inventory.bill_of_materials, inventory.component_prices,
                    inventory.components, inventory.suppliers, system.audit_log CASCADE""")
    conn.execute("DELETE FROM catalog.listings")
    conn.execute("DELETE FROM workflow.automation_rules")
    conn.execute("DELETE FROM pricing.price_rules")


def build(conn: psycopg.Connection, listings: list[TinyListing] | None = None) -> dict[str, TinyListing]:
    """(Re)create the world; returns listings by SKU with their ids."""
    listings = listings or listings_default()
    reset(conn)
    create_marts(conn)
    for i, lst in enumerate(listings):
        lst.id = str(uuid.uuid4())
        conn.execute("INSERT INTO catalog.listings (id, asin, sku, title, status, tags) VALUES (%s, %s, %s, %s, %s, %s)",
                     (lst.id, f"B0TEST{i:04d}", lst.sku, f"Listing {lst.sku}", lst.status, list(lst.tags)))
        conn.execute("INSERT INTO pricing.current_prices (listing_id, price, max_price) VALUES (%s, %s, %s)",
                     (lst.id, lst.price, lst.max_price))
        conn.execute("INSERT INTO inventory.stock (listing_id, fulfillment_channel, fulfillable_qty, as_of) "
                      "VALUES (%s, 'FBA', %s, %s)", (lst.id, lst.stock, AS_OF))
        if lst.score is not None:
            conn.execute("INSERT INTO marts.fct_listing_scores (listing_id, score_date, total_score) VALUES (%s, %s, %s)",
                         (lst.id, TODAY - dt.timedelta(days=1), lst.score))
            conn.execute("INSERT INTO marts.fct_listing_top_fixes (listing_id, fix, points_gained, listing_fix_rank) "
                         "VALUES (%s, 'Add 3 more images', 4.6, 1)", (lst.id,))
        conn.execute("INSERT INTO marts.fct_listing_performance_daily (listing_id, metric_date, was_reported, "
                     "sessions, units_ordered, buy_box_pct) SELECT %s, %s::date - d, true, 30, %s, 90 "
                     "FROM generate_series(0, 27) d", (lst.id, TODAY, lst.units_per_day))
        conn.execute("INSERT INTO marts.fct_listing_margins (listing_id, net_margin_pct, margin_floor_pct, "
                     "meets_margin_floor, floor_price_gbp, margin_is_complete) VALUES (%s, 25, 20, true, %s, %s)",
                     (lst.id, lst.floor, lst.floor is not None))
        if lst.rival_price:
            undercut = (Decimal(lst.price) - Decimal(lst.rival_price)) / Decimal(lst.price) * 100
            conn.execute("INSERT INTO marts.fct_listing_competitor_threat (listing_id, rival_asin, rival_price_gbp, "
                         "rival_is_out_of_stock, undercut_pct, top_threat_score, top_threat_reason) "
                         "VALUES (%s, 'B0RIVAL001', %s, false, %s, 70, 'undercuts you')",
                         (lst.id, lst.rival_price, round(undercut, 2)))
        # price points from -20 % to +20 %: margin rises with the price (a simple, monotone stand-in)
        conn.execute("INSERT INTO marts.fct_listing_price_points (listing_id, candidate_price_gbp, net_margin_pct) "
                     "SELECT %s, round(%s::numeric * (100 + pct) / 100, 2), 25 + pct FROM generate_series(-20, 20) pct",
                     (lst.id, lst.price))
    return {lst.sku: lst for lst in listings}


def seed_default_rules(conn: psycopg.Connection) -> None:
    """Re-run the shipped migration's seed statements (the migration is idempotent by design)."""
    from orchestration import settings

    text = (settings.PROJECT_ROOT / "sql" / "timescale" / "0240_automation_defaults.sql").read_text()
    conn.execute(text)
