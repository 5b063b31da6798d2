"""Sales and traffic, FBA inventory, fee estimates and search terms reports -> metrics, stock, fees, keywords."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import psycopg

from orchestration.spapi.sqlfiles import run
from orchestration.spapi.upsert_common import (FBA_NETWORK, count_inserted, default_marketplace, document,
                                               ensure_partitions)

FBA_INVENTORY = "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"
FBA_FEES = "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA"
SEARCH_TERMS = "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT"


def _named(cursor: psycopg.Cursor) -> dict[str, int]:
    return dict(zip([c.name for c in cursor.description], cursor.fetchone()))


def _document_params(doc, run_id: str | None) -> dict:
    return {"document": doc.report_document_id, "report_type": doc.report_type, "synced_at": doc.synced_at,
            "marketplace": doc.marketplace_id, "run_id": run_id}


def _months(first_day: date, last_day: date):
    """[first, last] split at month ends: one month's rows sort in memory and land in one partition."""
    while first_day <= last_day:
        month_end = (first_day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        yield first_day, min(month_end, last_day)
        first_day = month_end + timedelta(days=1)


def upsert_sales_and_traffic(conn: psycopg.Connection, first_day: date, last_day: date | None = None,
                             run_id: str | None = None) -> dict[str, int]:
    """Each day's figures from the latest document for it replace what was stored; unknown SKUs are quarantined.

    `first_day` alone is that one day; with `last_day`, every day of the range, a month per transaction.
    """
    counts = dict.fromkeys(("documents", "rows_in_report", "inserted", "updated", "unchanged", "removed",
                            "unknown_sku", "quarantined"), 0)
    for first, last in _months(first_day, last_day or first_day):
        with conn.transaction():
            start = datetime.combine(first, time.min, tzinfo=timezone.utc)
            end = datetime.combine(last, time.min, tzinfo=timezone.utc)
            params = {"first_day": first, "last_day": last, "first_time": start, "last_time": end, "run_id": run_id,
                      "default_marketplace": default_marketplace(conn)}
            latest = run(conn, "traffic", "latest_documents", params).fetchall()
            if not latest:
                continue
            documents, days, marketplaces = (list(column) for column in zip(*latest))
            params |= {"documents": documents, "days": days, "marketplaces": marketplaces}
            ensure_partitions(conn, "analytics.performance_metrics", start, end)
            run(conn, "traffic", "month_settings")
            month = _named(run(conn, "traffic", "upsert", params))
            month |= {"documents": len(latest), "unchanged": month["rows_in_report"] - month["quarantined"]
                      - month["inserted"] - month["updated"]}
            for key, value in month.items():
                counts[key] += value
    return counts


def upsert_inventory(conn: psycopg.Connection, report_document_id: str, run_id: str | None = None) -> dict[str, int]:
    """FBA stock per listing now (inventory.stock) and as a snapshot at the report's time (stock_history)."""
    with conn.transaction():
        doc = document(conn, report_document_id, FBA_INVENTORY)
        params = _document_params(doc, run_id) | {
            "as_of": doc.synced_at, "location": FBA_NETWORK.get(doc.marketplace_id, doc.marketplace_id)}
        ensure_partitions(conn, "inventory.stock_history", doc.synced_at)
        run(conn, "stock", "stage", params)
        counts = _named(run(conn, "stock", "counts", params))
        run(conn, "stock", "quarantine", params)
        inserted, updated = count_inserted(run(conn, "stock", "upsert_stock", params))
        history = run(conn, "stock", "history", params).rowcount
        good = counts["rows_in_report"] - counts["quarantined"]
        return {**counts, "stock_inserted": inserted, "stock_updated": updated,
                "stock_unchanged": good - inserted - updated, "history_rows_written": history}


def upsert_fee_estimates(conn: psycopg.Connection, report_document_id: str, run_id: str | None = None) -> dict[str, int]:
    """Referral and FBA fees per unit onto the listings' current prices (listings without a price are counted)."""
    with conn.transaction():
        doc = document(conn, report_document_id, FBA_FEES)
        params = _document_params(doc, run_id)
        run(conn, "fees", "stage", params)
        counts = _named(run(conn, "fees", "counts", params))
        run(conn, "fees", "quarantine", params)
        updated = run(conn, "fees", "update", params).rowcount
        good = counts["rows_in_report"] - counts["quarantined"] - counts["no_price_row"]
        return {**counts, "updated": updated, "unchanged": good - updated}


def upsert_keywords(conn: psycopg.Connection, report_document_id: str, run_id: str | None = None) -> dict[str, int]:
    """Search terms where one of our ASINs is among the most clicked become keywords of those listings."""
    with conn.transaction():
        doc = document(conn, report_document_id, SEARCH_TERMS)
        params = _document_params(doc, run_id)
        run(conn, "keywords", "stage", params)
        counts = _named(run(conn, "keywords", "counts", params))
        inserted, updated = count_inserted(run(conn, "keywords", "upsert", params))
        return {**counts, "inserted": inserted, "updated": updated,
                "unchanged": counts["keyword_rows"] - inserted - updated}
