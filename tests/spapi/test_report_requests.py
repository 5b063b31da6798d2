"""The report request flow end to end: real client, sandbox marketplace, real database ledger."""

from __future__ import annotations

import datetime as dt
import hashlib

import httpx
import pytest

from orchestration.sandbox import SandboxServer
from orchestration.pipeline import sandbox_spapi_config
from orchestration.spapi.client import reports_client
from orchestration.spapi.loading import RAW_TABLES, load_document
from orchestration.spapi.report_requests import (DocumentDownloadFailed, ReportFailed, ReportInCooldown,
                                                 ReportNotReady, fetch_report, latest_document_for)
from orchestration.spapi.retry import SpApiUnavailable
from small_world import END, a_day_with_a_suppressed_listing, small_world

UTC = dt.timezone.utc
MERCHANT = "GET_MERCHANT_LISTINGS_ALL_DATA"
SALES_AND_TRAFFIC = "GET_SALES_AND_TRAFFIC_REPORT"


def at(day: str, hms: str = "00:00:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hms}").replace(tzinfo=UTC)


# report type -> (window start, window end, report options, the day a sales & traffic document covers)
WINDOWS = {
    MERCHANT: (None, None, None, None),
    "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA": (None, None, None, None),
    "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA": (None, None, None, None),
    "GET_MERCHANTS_LISTINGS_FYP_REPORT": (None, None, None, None),
    "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL": (at("2026-06-20"), at("2026-06-29", "23:59:59"), None, None),
    SALES_AND_TRAFFIC: (at("2026-06-28"), at("2026-06-28", "23:59:59"),
                        {"dateGranularity": "DAY", "asinGranularity": "SKU"}, dt.date(2026, 6, 28)),
    "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT": (at("2026-06-21"), at("2026-06-27", "23:59:59"),
                                                {"reportPeriod": "WEEK"}, None),
}


@pytest.fixture
def world_end():
    return END


@pytest.fixture
def sandbox(request, world_end):
    faults = getattr(request, "param", None)
    world = small_world(world_end)
    with SandboxServer(world, faults=faults) as server:
        yield server


@pytest.fixture
def conn(db):
    """The module's migrated database, emptied of earlier tests' requests, documents and rows."""
    db.execute("TRUNCATE raw.report_requests, raw.api_responses, raw.quarantine CASCADE")
    return db


@pytest.fixture
def api(sandbox):
    return reports_client(sandbox_spapi_config(sandbox))


class Waits(list):
    """Stands in for time.sleep: records what would have been slept."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def fetch(conn, api, report_type=MERCHANT, sleep=None, **kwargs):
    start, end, options, _ = WINDOWS[report_type]
    defaults = dict(data_start_time=start, data_end_time=end, report_options=options, poll_interval=7.0,
                    max_polls=10, sleep=sleep if sleep is not None else Waits(), run_id="run-1")
    return fetch_report(conn, api, report_type=report_type, **{**defaults, **kwargs})


def ledger(conn) -> list[dict]:
    cur = conn.execute("SELECT * FROM raw.report_requests ORDER BY requested_at")
    names = [d.name for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def stored_bytes(conn, document_id: str) -> bytes:
    return bytes(conn.execute("SELECT content FROM raw.report_documents WHERE report_document_id = %s",
                              (document_id,)).fetchone()[0])


@pytest.mark.parametrize("sandbox", [{"compression": "all"}], indirect=True)
@pytest.mark.parametrize("report_type, world_end", [
    (t, a_day_with_a_suppressed_listing() if t == "GET_MERCHANTS_LISTINGS_FYP_REPORT" else END)
    for t in sorted(RAW_TABLES)])
def test_each_report_type_lands_a_document_whose_rows_load(conn, api, sandbox, report_type, world_end):
    waits = Waits()
    fetched = fetch(conn, api, report_type, sleep=waits)
    assert fetched.status == "DONE" and not fetched.reused and fetched.report_type == report_type
    [row] = ledger(conn)
    assert (row["id"], row["report_id"], row["report_document_id"]) == (
        fetched.request_id, fetched.report_id, fetched.report_document_id)
    assert row["processing_status"] == "DONE" and row["completed_at"] is not None and row["dagster_run_id"] == "run-1"
    assert row["attempt_count"] == 3 and waits == [7.0, 7.0]  # IN_QUEUE, IN_PROGRESS, DONE
    start, end, options, day = WINDOWS[report_type]
    assert (row["data_start_time"], row["data_end_time"], row["report_options"]) == (start, end, options)
    served = sandbox.reports.documents[fetched.report_document_id]
    content = stored_bytes(conn, fetched.report_document_id)
    assert content == served["body"] and content[:2] == b"\x1f\x8b"  # kept gzipped, as sent
    doc = conn.execute("SELECT compression, content_type, report_request_id, sha256 FROM raw.report_documents "
                       "WHERE report_document_id = %s", (fetched.report_document_id,)).fetchone()
    assert doc == ("GZIP", served["content_type"], fetched.request_id, hashlib.sha256(served["body"]).hexdigest())
    loaded = load_document(conn, report_type=report_type, report_document_id=fetched.report_document_id,
                           report_date=day)
    assert loaded.error is None and loaded.rows_loaded > 0
    count = conn.execute(f"SELECT count(*) FROM {RAW_TABLES[report_type]} WHERE report_document_id = %s",
                         (fetched.report_document_id,)).fetchone()[0]
    assert count == loaded.rows_loaded
    assert latest_document_for(conn, report_type, start, end) == fetched.report_document_id
    assert latest_document_for(conn, report_type, at("2020-01-01"), at("2020-01-02")) is None


def test_a_rerun_reuses_the_report_still_in_flight(conn, api, sandbox):
    with pytest.raises(ReportNotReady, match="stays in flight"):
        fetch(conn, api, max_polls=1)
    [row] = ledger(conn)
    assert row["report_id"] and row["processing_status"] == "IN_QUEUE" and row["completed_at"] is None
    again = fetch(conn, api)
    assert again.reused and again.status == "DONE" and again.report_id == row["report_id"]
    assert list(sandbox.reports.reports) == [row["report_id"]]  # one createReport only
    [row] = ledger(conn)
    assert row["attempt_count"] == 3 and row["completed_at"] is not None
    third = fetch(conn, api)  # a finished window is asked for afresh (listings change)
    assert not third.reused and third.report_id != again.report_id and len(sandbox.reports.reports) == 2


def test_the_report_id_is_saved_before_polling(conn, api, sandbox):
    sandbox.set_faults({"server_errors": {"getReport": {"first_n": 100, "status": 500}}})
    with pytest.raises(SpApiUnavailable) as info:
        fetch(conn, api)
    assert (info.value.operation, info.value.attempts, info.value.last_status) == ("getReport", 6, 500)
    [row] = ledger(conn)
    assert row["report_id"] in sandbox.reports.reports and row["processing_status"] is None
    sandbox.set_faults({})
    again = fetch(conn, api)
    assert again.reused and again.report_id == row["report_id"] and len(sandbox.reports.reports) == 1


@pytest.mark.parametrize("sandbox", [{"report_outcomes": {MERCHANT: "CANCELLED"}}], indirect=True)
def test_cancelled_means_no_data_and_no_rows(conn, api):
    fetched = fetch(conn, api)
    assert fetched.status == "CANCELLED" and fetched.report_document_id is None
    [row] = ledger(conn)
    assert row["processing_status"] == "CANCELLED" and row["completed_at"] is not None
    assert row["report_document_id"] is None and row["cooldown_until"] is None
    assert conn.execute("SELECT count(*) FROM raw.report_documents").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM raw.spapi_merchant_listings").fetchone()[0] == 0


@pytest.mark.parametrize("sandbox", [{"report_outcomes": {MERCHANT: {"status": "FATAL", "first_n": 1}}}],
                         indirect=True)
def test_fatal_starts_a_cooldown_for_the_report_type(conn, api, sandbox):
    with pytest.raises(ReportFailed) as info:
        fetch(conn, api, fatal_cooldown=dt.timedelta(minutes=45))
    assert info.value.report_id in sandbox.reports.reports and "cooldown" in str(info.value)
    [row] = ledger(conn)
    assert row["processing_status"] == "FATAL" and row["cooldown_until"] - row["completed_at"] == dt.timedelta(minutes=45)
    assert "in cooldown" in row["error_message"]  # Amazon's own explanation, from the FATAL document
    with pytest.raises(ReportInCooldown) as cooling:
        fetch(conn, api)
    assert cooling.value.until == row["cooldown_until"] and cooling.value.report_type == MERCHANT
    with pytest.raises(ReportInCooldown):  # another window of the same type waits too
        fetch(conn, api, data_start_time=at("2026-06-01"), data_end_time=at("2026-06-02"))
    assert len(sandbox.reports.reports) == 1 and len(ledger(conn)) == 1  # no createReport while cooling down
    assert fetch(conn, api, "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA").status == "DONE"  # other types carry on
    conn.execute("UPDATE raw.report_requests SET cooldown_until = now() - interval '1 second' WHERE id = %s",
                 (row["id"],))
    assert fetch(conn, api).status == "DONE"  # cooldown over: asked again, and Amazon obliges


def test_throttling_and_server_errors_are_retried_and_the_fetch_completes(conn, api, sandbox):
    sandbox.set_faults({"throttle": {"createReport": {"first_n": 1}, "getReport": {"first_n": 1}},
                        "server_errors": {"getReportDocument": {"first_n": 2, "status": 503},
                                          "downloadDocument": {"first_n": 1, "status": 500}}})
    waits = Waits()
    fetched = fetch(conn, api, sleep=waits)
    assert fetched.status == "DONE" and len(sandbox.reports.reports) == 1
    assert waits[0] == pytest.approx(1 / 0.0167)  # createReport's advertised rate: one every ~60 s
    assert waits[1] == pytest.approx(1 / 2.0)  # getReport's rate
    backoffs = [w for w in waits[2:] if w != 7.0]
    assert len(backoffs) == 3 and all(0 < w <= 30 for w in backoffs)  # 2 x getReportDocument, 1 x download
    assert ledger(conn)[0]["attempt_count"] == 3  # polls, not retries
    assert stored_bytes(conn, fetched.report_document_id) == sandbox.reports.documents[fetched.report_document_id]["body"]


def test_a_server_error_storm_beyond_the_cap_raises_and_the_next_run_recovers(conn, api, sandbox):
    sandbox.set_faults({"server_errors": {"createReport": {"first_n": 6, "status": 503}}})
    waits = Waits()
    with pytest.raises(SpApiUnavailable) as info:
        fetch(conn, api, sleep=waits)
    assert (info.value.operation, info.value.attempts, info.value.last_status) == ("createReport", 6, 503)
    assert len(waits) == 5 and all(0 < w <= 30 for w in waits)
    c = sandbox.credentials
    secrets = (c.lwa_client_secret, c.refresh_token, sandbox.access_token_for("refresh:" + c.refresh_token))
    message = f"{info.value} {info.value!r}"
    assert "createReport" in message and not any(secret in message for secret in secrets)
    [orphan] = ledger(conn)
    assert orphan["report_id"] is None and sandbox.reports.reports == {}
    fetched = fetch(conn, api)  # the 7th createReport succeeds; the unanswered row is taken over
    assert fetched.request_id == orphan["id"] and len(ledger(conn)) == 1 and fetched.status == "DONE"


@pytest.mark.parametrize("sandbox", [{"document_encoding": "cp1252"}], indirect=True)
def test_a_cp1252_document_is_stored_byte_exact(conn, api, sandbox):
    fetched = fetch(conn, api)
    served = sandbox.reports.documents[fetched.report_document_id]["body"]
    content = stored_bytes(conn, fetched.report_document_id)
    assert hashlib.sha256(content).hexdigest() == hashlib.sha256(served).hexdigest()
    assert b"\xa3" in content  # '£' in cp1252, not re-encoded
    doc = conn.execute("SELECT compression, content_type FROM raw.report_documents").fetchone()
    assert doc == (None, "text/plain")
    loaded = load_document(conn, report_type=MERCHANT, report_document_id=fetched.report_document_id)
    assert loaded.encoding == "cp1252" and loaded.rows_loaded > 0
    pounds = conn.execute("SELECT count(*) FROM raw.spapi_merchant_listings WHERE item_description LIKE '%£%'")
    assert pounds.fetchone()[0] > 0


class ExpiredFirstUrl:
    """The real client, except that the first document URL handed out is refused (403, as an expired one)."""

    def __init__(self, api):
        self.api, self.handed_out = api, 0

    def __getattr__(self, name):
        return getattr(self.api, name)

    def get_report_document(self, document_id, **kwargs):
        response = self.api.get_report_document(document_id, **kwargs)
        self.handed_out += 1
        if self.handed_out == 1:
            url = httpx.URL(response.payload["url"])
            response.payload["url"] = str(url.copy_set_param("X-Amz-Expires", "1000000000"))
        return response


def test_an_expired_document_url_is_refreshed_once(conn, api, sandbox):
    wrapped = ExpiredFirstUrl(api)
    fetched = fetch(conn, wrapped)
    assert fetched.status == "DONE" and wrapped.handed_out == 2
    assert stored_bytes(conn, fetched.report_document_id) == sandbox.reports.documents[fetched.report_document_id]["body"]


@pytest.mark.parametrize("sandbox", [{"document_url_ttl_seconds": -1}], indirect=True)
def test_urls_that_keep_expiring_fail_clearly_and_the_next_run_downloads(conn, api, sandbox):
    with pytest.raises(DocumentDownloadFailed, match="HTTP 403") as info:
        fetch(conn, api)
    assert "X-Amz" not in str(info.value)  # a signed URL never reaches a message
    [row] = ledger(conn)
    assert row["processing_status"] == "DONE" and row["completed_at"] is None
    sandbox.set_faults({})
    fetched = fetch(conn, api)
    assert fetched.reused and fetched.report_id == row["report_id"] and len(sandbox.reports.reports) == 1
    assert stored_bytes(conn, fetched.report_document_id) == sandbox.reports.documents[fetched.report_document_id]["body"]


def test_naive_windows_are_refused(conn, api):
    with pytest.raises(ValueError, match="timezone-aware"):
        fetch(conn, api, data_start_time=dt.datetime(2026, 6, 1))
    assert ledger(conn) == []
