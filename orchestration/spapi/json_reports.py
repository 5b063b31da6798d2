"""Parse the JSON reports (sales and traffic by SKU, Brand Analytics search terms) into typed frames."""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

import polars as pl

from orchestration.spapi.json_fields import (ColumnReader, Field, as_amount, as_int, as_ratio, as_text, load_json,
                                             rows_to_frame)
from orchestration.spapi.parsed import ParsedReport, ReportFormatError, empty_quarantine

SALES_AND_TRAFFIC = "GET_SALES_AND_TRAFFIC_REPORT"
SEARCH_TERMS = "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT"


def _spec_dates(spec: Mapping[str, Any]) -> tuple[date | None, date | None]:
    def day(key: str) -> date | None:
        v = spec.get(key)
        try:
            return date.fromisoformat(str(v)[:10]) if v else None
        except ValueError as exc:
            raise ReportFormatError(f"reportSpecification.{key} {v!r} is not a date") from exc
    return day("dataStartTime"), day("dataEndTime")


def _entries(doc: Mapping[str, Any], key: str, report_type: str, document_id: str | None, warnings: list[str]) -> list[Any]:
    if key not in doc:
        warnings.append(f"document has no {key} section: no rows")
    entries = doc.get(key, [])
    if not isinstance(entries, list):
        raise ReportFormatError(f"{report_type} document {document_id or '<unnamed>'}: {key} is not a list")
    return entries


def _check_type(spec: Mapping[str, Any], expected: str, document_id: str | None) -> None:
    actual = spec.get("reportType")
    if actual is not None and actual != expected:
        raise ReportFormatError(f"document {document_id or '<unnamed>'} is a {actual} report, not {expected}")


# The top of the document, as the column-wise reader takes it.
_SPECIFICATION = {"reportSpecification": pl.Struct({
    "reportType": pl.String(), "reportOptions": pl.Struct({"asinGranularity": pl.String(), "reportPeriod": pl.String()}),
    "dataStartTime": pl.String(), "dataEndTime": pl.String(), "marketplaceIds": pl.List(pl.String())})}


class _Report:
    """A JSON report document, read column by column when it allows, else entry by entry (see json_fields)."""

    def __init__(self, document: bytes | str | Mapping[str, Any], content_type: str | None, report_type: str,
                 document_id: str | None, reader: ColumnReader, fields: list[Field]):
        self.document, self.content_type, self.report_type, self.document_id = document, content_type, report_type, document_id
        self.reader, self.fields, self.warnings = reader, fields, []
        self.columns = reader.read(document, content_type)
        if self.columns is None:
            self.doc, self.encoding = load_json(document, content_type)
            self.spec = self.doc.get("reportSpecification") or {}
        else:
            self.doc, self.encoding = None, self.columns.encoding
            self.spec = self.columns.header["reportSpecification"] or {}

    def rows(self, fixed: dict[str, Any]) -> tuple[pl.DataFrame, pl.DataFrame, int]:
        """(typed rows, quarantine, entries in the document)."""
        if self.columns is not None:
            frame = self.reader.frame(self.columns.entries, fixed)
            if frame is not None:
                return frame, empty_quarantine(), frame.height
        doc = self.doc if self.doc is not None else load_json(self.document, self.content_type)[0]
        array_name = self.reader.array_name
        entries = _entries(doc, array_name, self.report_type, self.document_id, self.warnings)
        frame, quarantine = rows_to_frame(entries, array_name, self.fields, fixed, self.reader.fixed_schema)
        return frame, quarantine, len(entries)


# --- GET_SALES_AND_TRAFFIC_REPORT ------------------------------------------------------------

_SALES = [("units_ordered", "unitsOrdered", as_int), ("ordered_product_sales", "orderedProductSales", as_amount),
          ("total_order_items", "totalOrderItems", as_int)]
# The schema's own examples spell some keys two ways ("browerPageViews", "mobilePageViews").
_TRAFFIC = [
    ("browser_sessions", "browserSessions", as_int), ("mobile_app_sessions", "mobileAppSessions", as_int),
    ("sessions", "sessions", as_int), ("browser_session_pct", "browserSessionPercentage", as_ratio),
    ("mobile_app_session_pct", "mobileAppSessionPercentage", as_ratio), ("session_pct", "sessionPercentage", as_ratio),
    ("browser_page_views", "browserPageViews|browerPageViews", as_int),
    ("mobile_app_page_views", "mobileAppPageViews|mobilePageViews", as_int), ("page_views", "pageViews", as_int),
    ("browser_page_views_pct", "browserPageViewsPercentage", as_ratio),
    ("mobile_app_page_views_pct", "mobileAppPageViewsPercentage|mobilePageViewsPercentage", as_ratio),
    ("page_views_pct", "pageViewsPercentage", as_ratio), ("buy_box_pct", "buyBoxPercentage", as_ratio),
    ("unit_session_pct", "unitSessionPercentage", as_ratio),
]
_DTYPES = {as_int: pl.Int64(), as_ratio: pl.Float64(), as_amount: pl.Decimal(18, 2), as_text: pl.String()}


def _b2b(column: str, keys: str) -> tuple[str, str]:
    column = column[:-4] + "_b2b_pct" if column.endswith("_pct") else column + "_b2b"
    return column, "|".join(k + "B2B" for k in keys.split("|"))


def _traffic_fields() -> list[Field]:
    fields = [Field("parent_asin", ("parentAsin",), as_text, pl.String()),
              Field("child_asin", ("childAsin",), as_text, pl.String()),
              Field("sku", ("sku",), as_text, pl.String(), required=True)]
    for section, table in (("salesByAsin", _SALES), ("trafficByAsin", _TRAFFIC)):
        for column, keys, read in table:
            for col, k in ((column, keys), _b2b(column, keys)):  # B2B: only for Amazon Business sellers
                fields.append(Field(col, (section, k), read, _DTYPES[read]))
    return fields


# Totals are browser + mobile app when Amazon leaves the total out but gives both parts.
_TOTALS = [pl.coalesce(pl.col(total + suffix), pl.col(browser + suffix) + pl.col(mobile + suffix)).alias(total + suffix)
           for total, browser, mobile in (("sessions", "browser_sessions", "mobile_app_sessions"),
                                          ("page_views", "browser_page_views", "mobile_app_page_views"))
           for suffix in ("", "_b2b")]
_TRAFFIC_FIELDS = _traffic_fields()
_TRAFFIC_READER = ColumnReader("salesAndTrafficByAsin", _TRAFFIC_FIELDS,
                               {"report_date": pl.Date(), "marketplace_id": pl.String()}, _SPECIFICATION)


def parse_sales_and_traffic(
    document: bytes | str | Mapping[str, Any], report_date: date, *, document_id: str | None = None, content_type: str | None = None,
) -> ParsedReport:
    """One row per SKU from `salesAndTrafficByAsin` of a report requested for the single day `report_date`.

    That section has no date of its own and sums the whole requested window, so the caller
    says which day it is; a window wider than one day is reported in `warnings`.
    """
    report = _Report(document, content_type, SALES_AND_TRAFFIC, document_id, _TRAFFIC_READER, _TRAFFIC_FIELDS)
    spec = report.spec
    _check_type(spec, SALES_AND_TRAFFIC, document_id)
    granularity = (spec.get("reportOptions") or {}).get("asinGranularity")
    if granularity not in (None, "SKU"):
        raise ReportFormatError(f"{SALES_AND_TRAFFIC} document {document_id or '<unnamed>'}: asinGranularity is {granularity}, need SKU")
    start, end = _spec_dates(spec)
    warnings = report.warnings
    if start and end:
        if not start <= report_date <= end:
            raise ReportFormatError(f"{SALES_AND_TRAFFIC} document {document_id or '<unnamed>'} covers {start}..{end}, not {report_date}")
        if start != end:
            warnings.append(f"per-SKU figures cover {start}..{end} ({(end - start).days + 1} days), not only {report_date}")
    marketplaces = spec.get("marketplaceIds") or [None]
    fixed = {"report_date": report_date, "marketplace_id": marketplaces[0]}
    frame, quarantine, entries = report.rows(fixed)
    return ParsedReport(SALES_AND_TRAFFIC, frame.with_columns(_TOTALS), quarantine, [], report.encoding, entries,
                        document_id, warnings)


# --- GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT -------------------------------------------------

_SEARCH_TERM_FIELDS = [
    Field("department_name", ("departmentName",), as_text, pl.String(), required=True),
    Field("search_term", ("searchTerm",), as_text, pl.String(), required=True),
    Field("search_frequency_rank", ("searchFrequencyRank",), as_int, pl.Int64(), required=True),
    Field("click_share_rank", ("clickShareRank",), as_int, pl.Int64(), required=True),
    Field("clicked_asin", ("clickedAsin",), as_text, pl.String()),
    Field("click_share", ("clickShare",), as_ratio, pl.Float64()),  # a fraction 0-1, not a percent
    Field("conversion_share", ("conversionShare",), as_ratio, pl.Float64()),
]


_SEARCH_TERMS_READER = ColumnReader(
    "dataByDepartmentAndSearchTerm", _SEARCH_TERM_FIELDS,
    {"marketplace_id": pl.String(), "report_period": pl.String(), "period_start_date": pl.Date(), "period_end_date": pl.Date()},
    _SPECIFICATION)


def parse_search_terms(
    document: bytes | str | Mapping[str, Any], *, document_id: str | None = None, content_type: str | None = None,
) -> ParsedReport:
    """One row per (department, search term, clicked-ASIN rank), tagged with the report period."""
    report = _Report(document, content_type, SEARCH_TERMS, document_id, _SEARCH_TERMS_READER, _SEARCH_TERM_FIELDS)
    spec = report.spec
    _check_type(spec, SEARCH_TERMS, document_id)
    start, end = _spec_dates(spec)
    fixed = {
        "marketplace_id": (spec.get("marketplaceIds") or [None])[0],
        "report_period": (spec.get("reportOptions") or {}).get("reportPeriod"),
        "period_start_date": start,
        "period_end_date": end,
    }
    frame, quarantine, entries = report.rows(fixed)
    return ParsedReport(SEARCH_TERMS, frame, quarantine, [], report.encoding, entries, document_id, report.warnings)
