"""Test helpers: land sandbox documents the way the report assets do, and fingerprint tables.

Not a test module: test_upserts*.py and test_supply_import.py import it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timezone

from psycopg.types.json import Jsonb

from orchestration.sandbox import build_world
from orchestration.sandbox.reports import ReportSpec
from orchestration.sandbox.spapi_routes import catalog_item
from orchestration.spapi import loading

MERCHANT_LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
FBA_FEES = "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA"
FBA_INVENTORY = "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"
SUPPRESSED = "GET_MERCHANTS_LISTINGS_FYP_REPORT"
SALES_AND_TRAFFIC = "GET_SALES_AND_TRAFFIC_REPORT"
SEARCH_TERMS = "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT"
CATALOG_DATA = {"attributes", "classifications", "dimensions", "identifiers", "images", "productTypes",
                "relationships", "salesRanks", "summaries"}

# Every table an upsert writes. A re-run must leave each one byte-for-byte as it was, so the
# fingerprint is taken over whole rows: ids, created_at and updated_at included.
WRITTEN_TABLES = [
    "catalog.listings", "catalog.listing_versions", "catalog.listing_images", "catalog.keywords",
    "pricing.current_prices", "pricing.price_history", "analytics.performance_metrics", "inventory.stock",
    "inventory.stock_history", "inventory.suppliers", "inventory.components", "inventory.component_prices",
    "inventory.bill_of_materials", "system.audit_log", "raw.quarantine",
]


def sandbox_world():
    return build_world(seed=7, listing_count=30, days=60, end_date=date(2026, 6, 30))


def reset(conn) -> None:
    """Each test starts from empty operational and raw tables (the migrated database is shared per module)."""
    conn.execute("truncate catalog.listings, raw.report_documents, raw.report_requests, raw.api_responses, "
                 "raw.quarantine, system.audit_log, inventory.suppliers, inventory.components cascade")


def land(conn, report_type: str, text: str, report_date: date | None = None) -> str:
    """Store the document's bytes (utf-8, uncompressed) and load its rows, as the report assets do."""
    document_id = f"amzn1.spdoc.test.{uuid.uuid4().hex}"
    loading.store_document(conn, report_document_id=document_id, report_type=report_type, content=text.encode("utf-8"),
                           compression=None, content_type="application/json" if text.startswith("{") else "text/plain")
    result = loading.load_document(conn, report_type=report_type, report_document_id=document_id, report_date=report_date)
    assert result.error is None and result.rows_quarantined == 0, result
    return document_id


def ingest_catalog(conn, world, payload_for=None) -> int:
    """One getCatalogItem response per launched ASIN in raw.api_responses, as the catalog asset stores them."""
    count = 0
    for asin, offers in world.by_asin.items():
        if offers[0].open_date > world.end_date:
            continue
        payload = catalog_item(world, asin, CATALOG_DATA)
        payload = payload_for(asin, payload) if payload_for else payload
        conn.execute(
            "insert into raw.api_responses (source, operation, request_key, request_params, http_status, payload) "
            "values ('sp_api', 'getCatalogItem', %s, %s, 200, %s)",
            (asin, Jsonb({"marketplaceIds": world.marketplace_id, "includedData": sorted(CATALOG_DATA)}), Jsonb(payload)))
        count += 1
    return count


def day_spec(day: date, report_type: str = SALES_AND_TRAFFIC) -> ReportSpec:
    start = datetime.combine(day, time.min, tzinfo=timezone.utc)
    return ReportSpec(report_type, start, start.replace(hour=23, minute=59, second=59),
                      {"dateGranularity": "DAY", "asinGranularity": "SKU"})


def fingerprint(conn) -> dict[str, tuple[int, str]]:
    """(row count, md5 over the rows in a fixed order) per written table."""
    out = {}
    for table in WRITTEN_TABLES:
        out[table] = conn.execute(
            f"select count(*), coalesce(md5(string_agg(t::text, E'\\n' order by t::text)), '') from {table} t"
        ).fetchone()
    return out


def listing_ids(conn) -> dict[str, object]:
    return dict(conn.execute("select sku, id from catalog.listings").fetchall())
