"""Asks Amazon for one report and lands its document, with raw.report_requests as the ledger of every request.

The ledger row is written before createReport and gets the reportId before the first poll, so a run
that dies or times out leaves a row the next run picks up instead of asking Amazon a second time.
"""

from __future__ import annotations

import atexit
import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import httpx
import psycopg
from psycopg.types.json import Jsonb
from sp_api.base.exceptions import SellingApiNotFoundException

from orchestration.spapi.documents import GZIP_MAGIC, gunzip_if_needed
from orchestration.spapi.loading import store_document
from orchestration.spapi.retry import TransientHttpError, call_with_retries

FINAL_STATUSES = ("DONE", "CANCELLED", "FATAL")
DOWNLOAD_TIMEOUT_SECONDS = 300.0


class ReportRequestError(RuntimeError):
    """A report could not be fetched this time; the message says why and what happens next."""


class ReportInCooldown(ReportRequestError):
    def __init__(self, report_type: str, until: datetime):
        self.report_type, self.until = report_type, until
        super().__init__(f"{report_type}: Amazon failed this report type recently (FATAL); "
                         f"not asking again before {until.isoformat(timespec='minutes')}")


class ReportFailed(ReportRequestError):
    def __init__(self, report_type: str, report_id: str, detail: str | None = None):
        self.report_type, self.report_id, self.detail = report_type, report_id, detail
        super().__init__(f"{report_type}: Amazon could not generate report {report_id} (FATAL)"
                         + (f": {detail}" if detail else "") + "; it will be asked for again after the cooldown")


class ReportNotReady(ReportRequestError):
    def __init__(self, report_type: str, report_id: str, polls: int, status: str | None):
        self.report_type, self.report_id, self.polls, self.status = report_type, report_id, polls, status
        super().__init__(f"{report_type}: report {report_id} still {status or 'unanswered'} after {polls} polls; "
                         "it stays in flight and the next run picks it up")


class DocumentDownloadFailed(ReportRequestError):
    def __init__(self, report_type: str, report_document_id: str, status: int):
        self.report_type, self.report_document_id, self.status = report_type, report_document_id, status
        super().__init__(f"{report_type}: downloading document {report_document_id} failed with HTTP {status}; "
                         "the next run downloads it again")


@dataclass(frozen=True)
class FetchedReport:
    request_id: object  # the ledger row's UUID
    report_type: str
    report_id: str
    status: str  # DONE or CANCELLED (CANCELLED = no data for the window: zero rows, not an error)
    report_document_id: str | None
    reused: bool  # True when an earlier run's in-flight report was picked up


def commit_without_waiting_for_disk(conn: psycopg.Connection) -> None:
    """Commits on this connection return before PostgreSQL has flushed them to disk (a few ms each, and a
    report takes six: ledger row, reportId, polls, document). A run that dies loses nothing committed;
    only a crash of the database server itself can lose the last fraction of a second, and everything
    here is re-done by the next run: a ledger row without its reportId asks Amazon again, a document
    without completed_at is downloaded again, reloading a document replaces its rows."""
    conn.execute("SET synchronous_commit = off")


def fetch_report(conn: psycopg.Connection, reports_api, *, report_type: str, data_start_time: datetime | None,
                 data_end_time: datetime | None, report_options: dict | None = None, run_id: str | None = None,
                 partition_key: str | None = None, poll_interval: float = 30.0, max_polls: int = 120,
                 sleep=time.sleep, fatal_cooldown: timedelta = timedelta(minutes=30)) -> FetchedReport:
    """Reuse the window's in-flight report or request one, poll it to the end, store its document."""
    if not conn.autocommit:
        raise ValueError("fetch_report needs an autocommit connection: the reportId must be saved before polling")
    for moment in (data_start_time, data_end_time):
        if moment is not None and moment.tzinfo is None:
            raise ValueError("data_start_time and data_end_time must be timezone-aware")
    options = report_options or None
    marketplace = reports_api.marketplace_id
    window = (report_type, data_start_time, data_end_time, Jsonb(options) if options else None, [marketplace])
    open_row = conn.execute(_OPEN_REQUEST, window).fetchone()
    if open_row and open_row[1]:
        request_id, report_id = open_row
        try:
            report = _poll(conn, reports_api, request_id, report_id, report_type, max_polls, poll_interval, sleep)
            return _finish(conn, reports_api, request_id, report_type, report, run_id, sleep, fatal_cooldown,
                           reused=True)
        except SellingApiNotFoundException:
            # Amazon forgot the report (old run, expired): close the row and ask afresh below.
            conn.execute("UPDATE raw.report_requests SET completed_at = now(), error_message = %s WHERE id = %s",
                         ("Amazon no longer knows this report; requested again", request_id))
            open_row = None

    until = conn.execute(_COOLDOWN_UNTIL, (report_type,)).fetchone()
    if until:
        raise ReportInCooldown(report_type, until[0])
    if open_row:  # a row whose createReport never answered (crash, or Amazon unavailable): take it over
        request_id = open_row[0]
    else:
        request_id = conn.execute(
            "INSERT INTO raw.report_requests (report_type, data_start_time, data_end_time, report_options, "
            "marketplace_ids, dagster_run_id, partition_key) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (*window, run_id, partition_key)).fetchone()[0]
    body = {"reportType": report_type, "marketplaceIds": [marketplace]}
    if data_start_time is not None:
        body["dataStartTime"] = data_start_time.isoformat()
    if data_end_time is not None:
        body["dataEndTime"] = data_end_time.isoformat()
    if options:
        body["reportOptions"] = options
    created = call_with_retries(reports_api.create_report, operation="createReport", sleep=sleep, **body)
    report_id = created.payload["reportId"]
    # Autocommit: this is on disk before the first poll, so a crash from here on leaves a reusable row.
    conn.execute("UPDATE raw.report_requests SET report_id = %s, dagster_run_id = coalesce(%s, dagster_run_id) "
                 "WHERE id = %s", (report_id, run_id, request_id))
    report = _poll(conn, reports_api, request_id, report_id, report_type, max_polls, poll_interval, sleep)
    return _finish(conn, reports_api, request_id, report_type, report, run_id, sleep, fatal_cooldown, reused=False)


def latest_document_for(conn: psycopg.Connection, report_type: str, start: datetime | None,
                        end: datetime | None) -> str | None:
    """The newest stored document for exactly this report type and window, if any."""
    row = conn.execute(
        "SELECT report_document_id FROM raw.report_requests WHERE report_type = %s "
        "AND data_start_time IS NOT DISTINCT FROM %s::timestamptz AND data_end_time IS NOT DISTINCT FROM %s::timestamptz "
        "AND processing_status = 'DONE' AND completed_at IS NOT NULL ORDER BY completed_at DESC LIMIT 1",
        (report_type, start, end)).fetchone()
    return row[0] if row else None


# Unfinished request for the same window: polled if Amazon answered createReport, else taken over.
# DONE rows without completed_at still need their document downloaded, so they count too.
_OPEN_REQUEST = """
    SELECT id, report_id FROM raw.report_requests
    WHERE report_type = %s AND data_start_time IS NOT DISTINCT FROM %s::timestamptz
      AND data_end_time IS NOT DISTINCT FROM %s::timestamptz AND report_options IS NOT DISTINCT FROM %s::jsonb
      AND marketplace_ids = %s::text[] AND completed_at IS NULL
    ORDER BY report_id IS NOT NULL DESC, requested_at DESC LIMIT 1"""

# FATAL cooldowns are per report type: refuse while the type's latest outcome is a FATAL still
# cooling down. A later DONE or CANCELLED (any window) shows Amazon has lifted it early.
_COOLDOWN_UNTIL = """
    SELECT cooldown_until FROM (
        SELECT processing_status, cooldown_until FROM raw.report_requests
        WHERE report_type = %s AND processing_status IN ('DONE', 'CANCELLED', 'FATAL')
        ORDER BY coalesce(completed_at, last_polled_at) DESC NULLS LAST LIMIT 1) latest
    WHERE processing_status = 'FATAL' AND cooldown_until > now()"""


def _poll(conn, reports_api, request_id, report_id: str, report_type: str, max_polls: int, poll_interval: float,
          sleep) -> dict:
    status = None
    for poll in range(1, max_polls + 1):
        report = call_with_retries(reports_api.get_report, report_id, operation="getReport", sleep=sleep).payload
        status = report.get("processingStatus")
        # The document id goes in with DONE (the ledger refuses DONE without one); a FATAL report's
        # document is Amazon's error note, not data, so it stays out of the ledger.
        conn.execute(
            "UPDATE raw.report_requests SET processing_status = %s, report_document_id = %s, last_polled_at = now(), "
            "attempt_count = attempt_count + 1 WHERE id = %s",
            (status, report.get("reportDocumentId") if status == "DONE" else None, request_id))
        if status in FINAL_STATUSES:
            return report
        if poll < max_polls:
            sleep(poll_interval)
    raise ReportNotReady(report_type, report_id, max_polls, status)


def _finish(conn, reports_api, request_id, report_type: str, report: dict, run_id, sleep, fatal_cooldown: timedelta,
            *, reused: bool) -> FetchedReport:
    status, report_id = report["processingStatus"], report["reportId"]
    if status == "FATAL":
        detail = _fatal_detail(reports_api, report.get("reportDocumentId"), sleep)
        conn.execute("UPDATE raw.report_requests SET completed_at = now(), cooldown_until = now() + %s, "
                     "error_message = %s WHERE id = %s", (fatal_cooldown, detail or "FATAL", request_id))
        raise ReportFailed(report_type, report_id, detail)
    document_id = None
    if status == "DONE":
        document_id = report["reportDocumentId"]
        content, compression, content_type = _download(reports_api, report_type, document_id, sleep)
        with conn.transaction():  # document and ledger agree, or neither changed
            store_document(conn, report_document_id=document_id, report_type=report_type, content=content,
                           compression=compression, content_type=content_type, report_request_id=request_id,
                           run_id=run_id)
            conn.execute("UPDATE raw.report_requests SET completed_at = now() WHERE id = %s", (request_id,))
    else:  # CANCELLED: Amazon had no data for the window
        conn.execute("UPDATE raw.report_requests SET completed_at = now() WHERE id = %s", (request_id,))
    return FetchedReport(request_id, report_type, report_id, status, document_id, reused)


def _download(reports_api, report_type: str, document_id: str, sleep) -> tuple[bytes, str | None, str | None]:
    """The document's bytes as sent, its compression and Content-Type.

    Not get_report_document(download=True): without a charset header it decodes as iso-8859-1 and
    '£' breaks. The signed URL lives 5 minutes, so metadata is fetched right before each download,
    and once more if the URL was refused as expired.
    """
    timeout = getattr(reports_api, "timeout", None) or DOWNLOAD_TIMEOUT_SECONDS
    for attempt in (1, 2):
        info = call_with_retries(reports_api.get_report_document, document_id, operation="getReportDocument",
                                 sleep=sleep).payload
        status, content, content_type = call_with_retries(_get_bytes, info["url"], timeout,
                                                          operation="downloadDocument", sleep=sleep)
        if status == 200:
            gzipped = info.get("compressionAlgorithm") == "GZIP" or content.startswith(GZIP_MAGIC)
            return content, "GZIP" if gzipped else None, content_type
        if status != 403 or attempt == 2:
            raise DocumentDownloadFailed(report_type, document_id, status)
    raise AssertionError("unreachable")


@cache
def _downloads() -> httpx.Client:
    """One client for every document download: a new one per download loads the CA certificates again
    (some 40 ms) and opens a new connection. httpx clients are safe to share between threads. Closed at exit
    (an open pooled connection would be reported as an unclosed socket)."""
    client = httpx.Client()
    atexit.register(client.close)
    return client


def _get_bytes(url: str, timeout: float) -> tuple[int, bytes, str | None]:
    with _downloads().stream("GET", url, timeout=timeout) as response:
        if response.status_code >= 500 or response.status_code == 429:
            raise TransientHttpError(response.status_code)
        # iter_raw: exactly the bytes sent, even if a Content-Encoding header would make httpx decode them.
        return response.status_code, b"".join(response.iter_raw()), response.headers.get("content-type")


def _fatal_detail(reports_api, document_id: str | None, sleep) -> str | None:
    """Amazon's own explanation from a FATAL report's document, if it can be had."""
    if not document_id:
        return None
    try:
        content, _, _ = _download(reports_api, "FATAL report", document_id, sleep)
        body, _ = gunzip_if_needed(content)
        detail = json.loads(body.decode("utf-8-sig")).get("errorDetails")
        return str(detail)[:500] if detail else None
    except Exception:  # noqa: BLE001 - the explanation is a nicety; the FATAL itself must still be recorded
        return None
