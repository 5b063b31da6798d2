"""Listings report and suppressed-listings report -> catalog.listings, current price, price history, audit."""

from __future__ import annotations

import psycopg

from orchestration.spapi.sqlfiles import run
from orchestration.spapi.upsert_common import audit_partitions, document, ensure_partitions, newer_document_exists

MERCHANT_LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
SUPPRESSED_LISTINGS = "GET_MERCHANTS_LISTINGS_FYP_REPORT"


def upsert_listings(conn: psycopg.Connection, report_document_id: str, run_id: str | None = None) -> dict[str, int]:
    """Create and update listings from one merchant-listings document; unchanged listings are not touched.

    A listing whose stored sync is newer than this document is left alone (counted `stale`), so
    replaying an old document cannot roll prices or statuses back.
    """
    with conn.transaction():
        doc = document(conn, report_document_id, MERCHANT_LISTINGS)
        params = {"document": doc.report_document_id, "report_type": doc.report_type, "synced_at": doc.synced_at,
                  "marketplace": doc.marketplace_id, "run_id": run_id}
        ensure_partitions(conn, "pricing.price_history", doc.synced_at)
        audit_partitions(conn)
        run(conn, "listings", "stage", params)
        cur = run(conn, "listings", "counts", params)
        counts = dict(zip([c.name for c in cur.description], cur.fetchone()))
        run(conn, "listings", "quarantine", params)
        run(conn, "listings", "create", params)
        run(conn, "listings", "update", params)
        run(conn, "listings", "audit_updates", params)
        counts["prices_changed"] = run(conn, "listings", "prices", params).rowcount
        counts["price_history_rows"] = run(conn, "listings", "price_history", params).rowcount
        return counts


def upsert_suppressed(conn: psycopg.Connection, report_document_id: str, run_id: str | None = None) -> dict[str, int]:
    """Mark the listings the report names as suppressed; lift the sync's suppressions it no longer names.

    The report is a full snapshot, so only the newest document may lift suppressions: an older one
    changes nothing (`stale_document` 1).
    """
    with conn.transaction():
        doc = document(conn, report_document_id, SUPPRESSED_LISTINGS)
        if newer_document_exists(conn, doc):
            return {"listed": 0, "unknown_sku": 0, "suppressed": 0, "restored": 0, "stale_document": 1}
        params = {"document": doc.report_document_id, "report_type": doc.report_type,
                  "marketplace": doc.marketplace_id, "run_id": run_id}
        audit_partitions(conn)
        run(conn, "suppressed", "stage", params)
        listed, unknown = run(conn, "suppressed", "counts", params).fetchone()
        run(conn, "suppressed", "quarantine_unknown", params)
        suppressed = run(conn, "suppressed", "suppress", params).rowcount
        restored = run(conn, "suppressed", "restore", params).rowcount
        return {"listed": listed, "unknown_sku": unknown, "suppressed": suppressed, "restored": restored,
                "stale_document": 0}
