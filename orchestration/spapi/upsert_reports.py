"""Sales and traffic, FBA inventory, fee estimates and search terms reports -> metrics, stock, fees, keywords."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

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


def upsert_sales_and_traffic(conn: psycopg.Connection, report_date: date, run_id: str | None = None) -> dict[str, int]:
    """The day's figures from the latest document for it replace what was stored; unknown SKUs are quarantined."""
    day_start = datetime.combine(report_date, time.min, tzinfo=timezone.utc)
    with conn.transaction():
        params = {"day": report_date, "time": day_start, "run_id": run_id,
                  "default_marketplace": default_marketplace(conn)}
        latest = run(conn, "traffic", "latest_documents", params).fetchall()
        counts = {"documents": len(latest), "rows_in_report": 0, "inserted": 0, "updated": 0, "unchanged": 0,
                  "removed": 0, "unknown_sku": 0, "quarantined": 0}
        if not latest:
            return counts
        params |= {"documents": [doc for doc, _ in latest], "marketplaces": [mp for _, mp in latest]}
        ensure_partitions(conn, "analytics.performance_metrics", day_start)
        run(conn, "traffic", "stage", params)
        counts |= _named(run(conn, "traffic", "counts", params))
        run(conn, "traffic", "quarantine", params)
        run(conn, "traffic", "resolve_quarantine", params)
        written = run(conn, "traffic", "upsert", params).rowcount
        counts["updated"] = written - counts["inserted"]
        counts["unchanged"] = counts["rows_in_report"] - counts["quarantined"] - counts["inserted"] - counts["updated"]
        counts["removed"] = run(conn, "traffic", "remove_missing", params).rowcount
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
