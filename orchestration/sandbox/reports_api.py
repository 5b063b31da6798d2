"""Reports API 2021-06-30: create, poll, list (with nextToken paging), cancel, documents and downloads."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from typing import TYPE_CHECKING

import numpy as np

from . import reports
from .http_util import ApiError, Request, Response, iso_z, json_response, parse_time
from .reports import NoData, ReportSpec

if TYPE_CHECKING:
    from .server import SandboxServer

_LATE_COMPLETENESS = {1: 0.6, 2: 0.8, 3: 0.92}  # share of a day's traffic reported n days later
_CHARSET_NAME = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp1252": "windows-1252"}


class ReportStore:
    """Reports and documents held in memory, plus the late-traffic pull counter."""

    def __init__(self, server: "SandboxServer"):
        self.server = server
        self._lock = threading.RLock()
        self.reports: dict[str, dict] = {}
        self.documents: dict[str, dict] = {}
        self._pages: dict[str, tuple[list[str], int, int]] = {}
        # Amazon's report ids are unique forever; a clock-based start keeps them unique across sandbox restarts.
        self._next_id = time.time_ns() // 1_000_000
        self._url_key = secrets.token_bytes(16)
        self.traffic_pulls: dict[dt.date, int] = {}

    # ----- lifecycle --------------------------------------------------------------------------
    def create(self, spec: ReportSpec) -> str:
        with self._lock:
            report_id = str(self._next_id)
            self._next_id += 1
            self.reports[report_id] = {
                "spec": spec, "created": dt.datetime.now(dt.timezone.utc), "polls": 0, "status": "IN_QUEUE",
                "outcome": self.server.fault_state.report_outcome(spec.report_type), "started": None,
                "ended": None, "document_id": None}
            return report_id

    def poll(self, report_id: str) -> dict:
        """Each getReport moves the report on: IN_QUEUE, IN_PROGRESS..., then its final status."""
        with self._lock:
            rec = self._get(report_id)
            if rec["status"] in ("IN_QUEUE", "IN_PROGRESS"):
                rec["polls"] += 1
                needed = self.server.fault_state.faults.report_processing_polls
                now = dt.datetime.now(dt.timezone.utc)
                if rec["polls"] > needed:
                    self._finish(report_id, rec, now)
                elif rec["polls"] >= 2:
                    rec["status"], rec["started"] = "IN_PROGRESS", rec["started"] or now
            return self.describe(report_id)

    def _finish(self, report_id: str, rec: dict, now: dt.datetime) -> None:
        rec["started"] = rec["started"] or now
        rec["ended"] = now
        outcome = rec["outcome"]
        if outcome == "DONE":
            try:
                text, kind = self._render(rec["spec"])
            except NoData:
                outcome = "CANCELLED"
            else:
                rec["document_id"] = self._store_document(text, kind)
        elif outcome == "FATAL":
            # FATAL reports carry a small document explaining why (often a per-type cooldown).
            detail = {"errorDetails": f"Report {rec['spec'].report_type} could not be generated. "
                                      "Requests for this report type are in cooldown; retry later."}
            rec["document_id"] = self._store_document(json.dumps(detail), "json")
        rec["status"] = outcome

    def cancel(self, report_id: str) -> None:
        with self._lock:
            rec = self._get(report_id)
            if rec["status"] != "IN_QUEUE":
                raise ApiError(400, "InvalidInput", "Only reports with processingStatus IN_QUEUE can be cancelled.")
            rec["status"], rec["ended"] = "CANCELLED", dt.datetime.now(dt.timezone.utc)

    def _get(self, report_id: str) -> dict:
        rec = self.reports.get(report_id)
        if rec is None:
            raise ApiError(404, "NotFound", f"Report {report_id} not found.")
        return rec

    def describe(self, report_id: str) -> dict:
        rec = self._get(report_id)
        spec = rec["spec"]
        out = {"reportType": spec.report_type, "reportId": report_id}
        if spec.data_start:
            out["dataStartTime"] = iso_z(spec.data_start)
        if spec.data_end:
            out["dataEndTime"] = iso_z(spec.data_end)
        out.update({"marketplaceIds": spec.marketplace_ids, "createdTime": iso_z(rec["created"]),
                    "processingStatus": rec["status"]})
        if rec["started"]:
            out["processingStartTime"] = iso_z(rec["started"])
        if rec["ended"]:
            out["processingEndTime"] = iso_z(rec["ended"])
        if rec["document_id"] and rec["status"] in ("DONE", "FATAL"):
            out["reportDocumentId"] = rec["document_id"]
        return out

    # ----- documents --------------------------------------------------------------------------
    def _render(self, spec: ReportSpec) -> tuple[str, str]:
        world, faults = self.server.world, self.server.fault_state.faults
        t = spec.report_type
        if t == "GET_MERCHANT_LISTINGS_ALL_DATA":
            return reports.merchant_listings(world, faults), "tsv"
        if t == "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA":
            return reports.fba_fees(world, faults), "tsv"
        if t == "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA":
            return reports.fba_inventory(world, faults), "tsv"
        if t == "GET_MERCHANTS_LISTINGS_FYP_REPORT":
            return reports.suppressed_listings(world, faults), "tsv"
        if t == "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL":
            return reports.all_orders(world, spec, faults), "tsv"
        if t == "GET_SALES_AND_TRAFFIC_REPORT":
            return reports.sales_and_traffic(world, spec, self._traffic_as_reported), "json"
        if t == "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT":
            return reports.search_terms(world, spec), "json"
        raise NoData(t)

    def _traffic_as_reported(self, day: dt.date):
        """A day's figures as Amazon would report them now: recent days arrive late and get revised."""
        world, faults = self.server.world, self.server.fault_state.faults
        full = world.day(day)
        lag = (world.today - day).days
        pulls = self.traffic_pulls.get(day, 0)
        self.traffic_pulls[day] = pulls + 1
        if faults.late_traffic_days <= 0 or lag > faults.late_traffic_days:
            return full
        if faults.late_traffic_mode == "pull_counter" and pulls > 0:
            return full
        rng = np.random.default_rng([world.seed, 11, day.toordinal(), lag])
        return full.thinned(_LATE_COMPLETENESS.get(lag, 0.95), rng)

    def _store_document(self, text: str, kind: str) -> str:
        faults = self.server.fault_state.faults
        encoding = faults.document_encoding if kind == "tsv" else "utf-8"
        raw = text.encode(encoding, errors="replace")
        compressed = faults.compression == "all" or (faults.compression == "auto" and kind == "json")
        doc_id = f"amzn1.spdoc.1.4.eu.{uuid.uuid4()}.T{secrets.randbelow(10**12):012d}.{secrets.randbelow(10**4)}"
        content_type = "text/plain" if kind == "tsv" else "application/json"
        if faults.document_charset_header:
            content_type += f"; charset={_CHARSET_NAME[encoding]}"
        self.documents[doc_id] = {"raw": raw, "body": gzip.compress(raw, mtime=0) if compressed else raw,
                                  "compressed": compressed, "content_type": content_type}
        return doc_id

    def _signature(self, doc_id: str, expires: int) -> str:
        mac = hmac.new(self._url_key, f"{doc_id}|{expires}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def document_info(self, doc_id: str) -> dict:
        with self._lock:
            doc = self.documents.get(doc_id)
            if doc is None:
                raise ApiError(404, "NotFound", f"Report document {doc_id} not found.")
            expires = int(dt.datetime.now(dt.timezone.utc).timestamp()) + self.server.fault_state.faults.document_url_ttl_seconds
            url = (f"{self.server.base_url}/_sandbox/documents/{doc_id}?X-Amz-Expires={expires}"
                   f"&X-Amz-Signature={self._signature(doc_id, expires)}")
            out = {"reportDocumentId": doc_id, "url": url}
            if doc["compressed"]:
                out["compressionAlgorithm"] = "GZIP"
            return out

    def download(self, doc_id: str, expires: str | None, signature: str | None) -> Response:
        doc = self.documents.get(doc_id)
        try:
            exp = int(expires or "")
        except ValueError:
            exp = -1
        if doc is None or not signature or not hmac.compare_digest(signature, self._signature(doc_id, exp)):
            return _s3_error(403, "AccessDenied", "Access Denied")
        if dt.datetime.now(dt.timezone.utc).timestamp() > exp:
            return _s3_error(403, "AccessDenied", "Request has expired")
        return Response(200, doc["body"], {"Content-Type": doc["content_type"]})

    # ----- listing ----------------------------------------------------------------------------
    def page(self, ids: list[str], page_size: int, offset: int) -> dict:
        with self._lock:
            chunk = ids[offset:offset + page_size]
            out: dict = {"reports": [self.describe(r) for r in chunk]}
            if offset + page_size < len(ids):
                token = base64.b64encode(secrets.token_bytes(24)).decode()
                self._pages[token] = (ids, page_size, offset + page_size)
                out["nextToken"] = token
            return out

    def next_page(self, token: str) -> dict:
        with self._lock:
            if token not in self._pages:
                raise ApiError(400, "InvalidInput", "Invalid nextToken.")
            ids, size, offset = self._pages.pop(token)
        return self.page(ids, size, offset)


def _s3_error(status: int, code: str, message: str) -> Response:
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
            f"<RequestId>{uuid.uuid4().hex[:16].upper()}</RequestId></Error>").encode()
    return Response(status, body, {"Content-Type": "application/xml"})


# ----- route handlers ---------------------------------------------------------------------------
def create_report(server: "SandboxServer", req: Request) -> Response:
    body = req.json()
    report_type = body.get("reportType")
    if report_type not in reports.REPORT_TYPES:
        raise ApiError(400, "InvalidInput", f"Invalid reportType: {report_type!r}.")
    marketplaces = body.get("marketplaceIds") or body.get("MarketplaceIds") or []
    if server.world.marketplace_id not in marketplaces:
        raise ApiError(400, "InvalidInput", "marketplaceIds must include A1F83G8C2ARO7P for this seller.")
    spec = ReportSpec(report_type, parse_time(body.get("dataStartTime"), "dataStartTime"),
                      parse_time(body.get("dataEndTime"), "dataEndTime"), body.get("reportOptions") or {},
                      [m for m in marketplaces if m == server.world.marketplace_id])
    if spec.data_start and spec.data_end and spec.data_start > spec.data_end:
        raise ApiError(400, "InvalidInput", "dataStartTime must be before dataEndTime.")
    return json_response({"reportId": server.reports.create(spec)}, 202)


def get_report(server: "SandboxServer", req: Request) -> Response:
    return json_response(server.reports.poll(req.captures["reportId"]))


def cancel_report(server: "SandboxServer", req: Request) -> Response:
    server.reports.cancel(req.captures["reportId"])
    return Response(200, b"", {})


def get_reports(server: "SandboxServer", req: Request) -> Response:
    token = req.param("nextToken")
    if token is not None:
        if set(req.params) - {"nextToken"}:
            raise ApiError(400, "InvalidInput", "nextToken must be the only parameter of a follow-up request.")
        return json_response(server.reports.next_page(token))
    types = set(req.csv_param("reportTypes"))
    if not types:
        raise ApiError(400, "InvalidInput", "reportTypes or nextToken is required.")
    statuses = set(req.csv_param("processingStatuses"))
    try:
        page_size = int(req.param("pageSize", "10"))
    except ValueError:
        raise ApiError(400, "InvalidInput", "pageSize must be an integer.") from None
    if not 1 <= page_size <= 100:
        raise ApiError(400, "InvalidInput", "pageSize must be between 1 and 100.")
    now = dt.datetime.now(dt.timezone.utc)
    since = parse_time(req.param("createdSince"), "createdSince") or now - dt.timedelta(days=90)
    until = parse_time(req.param("createdUntil"), "createdUntil") or now
    store = server.reports
    with store._lock:
        ids = [rid for rid, rec in store.reports.items()
               if rec["spec"].report_type in types and (not statuses or rec["status"] in statuses)
               and since <= rec["created"] <= until]
    ids.sort(key=lambda r: (store.reports[r]["created"], int(r)), reverse=True)
    return json_response(store.page(ids, page_size, 0))


def get_report_document(server: "SandboxServer", req: Request) -> Response:
    return json_response(server.reports.document_info(req.captures["documentId"]))


def download_document(server: "SandboxServer", req: Request) -> Response:
    return server.reports.download(req.captures["documentId"], req.param("X-Amz-Expires"),
                                   req.param("X-Amz-Signature"))
