"""Land one downloaded report document: original bytes, typed rows by COPY, bad rows in quarantine.

Everything happens in the caller's transaction, so a run killed mid-load leaves no partial rows,
and reloading a document replaces exactly its own rows (keyed by document id and line).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

import polars as pl
import psycopg

from orchestration.spapi.copy import copy_frame
from orchestration.spapi.documents import gunzip_if_needed
from orchestration.spapi.flatfiles import SPECS, parse_flat_file
from orchestration.spapi.json_reports import SALES_AND_TRAFFIC, SEARCH_TERMS, parse_sales_and_traffic, parse_search_terms
from orchestration.spapi.parsed import MissingColumnsError, ParsedReport, ReportFormatError

RAW_TABLES = {
    "GET_MERCHANT_LISTINGS_ALL_DATA": "raw.spapi_merchant_listings",
    "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA": "raw.spapi_fba_fee_estimates",
    "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA": "raw.spapi_fba_inventory",
    "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL": "raw.spapi_orders",
    "GET_MERCHANTS_LISTINGS_FYP_REPORT": "raw.spapi_suppressed_listings",
    SALES_AND_TRAFFIC: "raw.spapi_sales_and_traffic",
    SEARCH_TERMS: "raw.spapi_search_terms",
}


@dataclass
class LoadResult:
    report_document_id: str
    report_type: str
    rows_loaded: int
    rows_quarantined: int
    encoding: str | None
    ignored_headers: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None  # the whole document was unusable (e.g. a required column missing)

    @property
    def quarantine_share(self) -> float:
        total = self.rows_loaded + self.rows_quarantined
        return self.rows_quarantined / total if total else (1.0 if self.error else 0.0)


def store_document(conn: psycopg.Connection, *, report_document_id: str, report_type: str, content: bytes,
                   compression: str | None, content_type: str | None, report_request_id=None,
                   run_id: str | None = None) -> None:
    """Keep the bytes exactly as downloaded (a document id always names the same bytes)."""
    conn.execute(
        """
        INSERT INTO raw.report_documents (report_document_id, report_request_id, report_type, content, compression,
                                          content_type, sha256, byte_size, dagster_run_id)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (report_document_id) DO NOTHING
        """,
        (report_document_id, report_request_id, report_type, content, compression, content_type,
         hashlib.sha256(content).hexdigest(), len(content), run_id),
    )


def parse_document(report_type: str, content: bytes, *, content_type: str | None, document_id: str,
                   report_date: date | None = None) -> ParsedReport:
    body, _ = gunzip_if_needed(content)
    if report_type == SALES_AND_TRAFFIC:
        if report_date is None:
            raise ValueError("a sales and traffic document needs the day it reports")
        return parse_sales_and_traffic(body, report_date, document_id=document_id, content_type=content_type)
    if report_type == SEARCH_TERMS:
        return parse_search_terms(body, document_id=document_id, content_type=content_type)
    if report_type in SPECS:
        return parse_flat_file(body, report_type, document_id=document_id, content_type=content_type)
    raise ValueError(f"no parser for report type {report_type}")


def _quarantine_frame(parsed: ParsedReport, document_id: str, run_id: str | None) -> pl.DataFrame:
    q = parsed.quarantine
    # Name the document's own header beside our column when they differ, so the seller recognises it.
    field_expr = (
        pl.when(pl.col("header").is_not_null() & (pl.col("header") != pl.col("field")))
        .then(pl.format("{} (header '{}')", pl.col("field"), pl.col("header")))
        .otherwise(pl.col("field"))
    )
    return q.select(
        pl.lit("sp_api").alias("source"),
        pl.lit(parsed.report_type).alias("report_type"),
        pl.lit(document_id).alias("source_document_id"),
        pl.col("line_number").cast(pl.Int32),
        field_expr.alias("field"),
        pl.col("value"),
        pl.col("reason"),
        pl.col("raw_record"),
        pl.lit(run_id, pl.String).alias("dagster_run_id"),
    )


def load_document(conn: psycopg.Connection, *, report_type: str, report_document_id: str,
                  report_date: date | None = None, run_id: str | None = None) -> LoadResult:
    """Parse a stored document and (re)load its rows and quarantine entries."""
    content, content_type = conn.execute(
        "SELECT content, content_type FROM raw.report_documents WHERE report_document_id = %s", (report_document_id,)
    ).fetchone()
    table = RAW_TABLES[report_type]
    conn.execute(f"DELETE FROM {table} WHERE report_document_id = %s", (report_document_id,))
    conn.execute("DELETE FROM raw.quarantine WHERE source = 'sp_api' AND source_document_id = %s", (report_document_id,))
    try:
        parsed = parse_document(report_type, bytes(content), content_type=content_type,
                                document_id=report_document_id, report_date=report_date)
    except (MissingColumnsError, ReportFormatError) as exc:
        # Nothing in the document can be trusted: one quarantine entry says why, the bytes stay.
        conn.execute(
            "INSERT INTO raw.quarantine (source, report_type, source_document_id, line_number, reason, dagster_run_id) "
            "VALUES ('sp_api', %s, %s, 1, %s, %s)",
            (report_type, report_document_id, str(exc), run_id),
        )
        conn.execute("UPDATE raw.report_documents SET row_count = 0, quarantined_count = 0 WHERE report_document_id = %s",
                     (report_document_id,))
        return LoadResult(report_document_id, report_type, 0, 0, None, error=str(exc))

    frame = parsed.frame
    if "line_number" not in frame.columns:  # JSON reports: the entry's position in its array
        frame = frame.with_row_index("line_number", offset=1).with_columns(pl.col("line_number").cast(pl.Int64))
    frame = frame.with_columns(pl.lit(report_document_id).alias("report_document_id"))
    with conn.cursor() as cur:
        copy_frame(cur, table, frame)
        if parsed.quarantine.height:
            copy_frame(cur, "raw.quarantine", _quarantine_frame(parsed, report_document_id, run_id))
    conn.execute(
        "UPDATE raw.report_documents SET row_count = %s, quarantined_count = %s, detected_encoding = %s "
        "WHERE report_document_id = %s",
        (parsed.row_count_total, parsed.quarantined_record_count, parsed.encoding, report_document_id),
    )
    return LoadResult(report_document_id, report_type, frame.height, parsed.quarantined_record_count,
                      parsed.encoding, parsed.ignored_headers, parsed.warnings)


def supersede_older_documents(conn: psycopg.Connection, *, report_type: str, report_document_id: str) -> int:
    """Remove raw rows of older documents covering the same window (same report type, start and end).

    Re-pulls replace rows instead of piling them up; the older documents' bytes stay in
    raw.report_documents, so nothing received is lost.
    """
    table = RAW_TABLES[report_type]
    return conn.execute(
        f"""
        DELETE FROM {table} r
        USING raw.report_documents d, raw.report_requests older, raw.report_requests newer,
              raw.report_documents nd
        WHERE r.report_document_id = d.report_document_id
          AND d.report_request_id = older.id
          AND nd.report_document_id = %(doc)s AND nd.report_request_id = newer.id
          AND older.report_type = newer.report_type
          AND older.data_start_time IS NOT DISTINCT FROM newer.data_start_time
          AND older.data_end_time IS NOT DISTINCT FROM newer.data_end_time
          AND r.report_document_id <> %(doc)s
        """,
        {"doc": report_document_id},
    ).rowcount
