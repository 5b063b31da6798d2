"""What every upsert needs: the document's context, monthly partitions before a write, count helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg

from orchestration.spapi.sqlfiles import run

AUDIT_SOURCE = "sp_api_sync"
# Where FBA stock sits, by marketplace: the fulfilment network the seller sees in Seller Central.
FBA_NETWORK = {"A1F83G8C2ARO7P": "UK", "A1PA6795UKMFR9": "DE", "A13V1IB3VIYZZH": "FR", "APJ6JRA9NG5V4": "IT",
               "A1RKKUPIHCS9HS": "ES", "A1805IZSGTT6HS": "NL", "A2NODRKZP88ZB9": "SE", "A1C3SOZRARQ6R3": "PL"}


@dataclass(frozen=True)
class Document:
    report_document_id: str
    report_type: str
    synced_at: datetime  # when Amazon produced it (else when it landed): the time its facts hold
    loaded_at: datetime
    marketplace_id: str


def document(conn: psycopg.Connection, report_document_id: str, expected_type: str) -> Document:
    row = run(conn, "common", "document", {"document": report_document_id}).fetchone()
    if row is None:
        raise LookupError(f"report document {report_document_id} has not landed in raw.report_documents")
    if row[0] != expected_type:
        raise ValueError(f"report document {report_document_id} is a {row[0]}, not {expected_type}")
    return Document(report_document_id, *row)


def default_marketplace(conn: psycopg.Connection) -> str:
    return run(conn, "common", "default_marketplace").fetchone()[0]


def newer_document_exists(conn: psycopg.Connection, doc: Document) -> bool:
    return run(conn, "common", "newer_document", {"report_type": doc.report_type, "loaded_at": doc.loaded_at}).fetchone()[0]


def ensure_partitions(conn: psycopg.Connection, table: str, start: datetime, end: datetime | None = None) -> None:
    """Create the monthly partitions for [start, end] first, so rows never pile up in the default one."""
    run(conn, "common", "ensure_partitions", {"table": table, "from": start, "to": end or start})


def audit_partitions(conn: psycopg.Connection) -> None:
    run(conn, "common", "ensure_partitions", {"table": "system.audit_log", "from": None, "to": None})


def count_inserted(cursor: psycopg.Cursor) -> tuple[int, int]:
    """(inserted, updated) from an upsert that returns `(xmax = 0) as inserted` for rows it wrote."""
    flags = [row[0] for row in cursor.fetchall()]
    return sum(flags), len(flags) - sum(flags)
