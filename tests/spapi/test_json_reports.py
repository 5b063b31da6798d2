"""JSON reports: sales and traffic per SKU for one day, Brand Analytics search terms."""

import copy
import gzip
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from orchestration.sandbox import build_world
from orchestration.sandbox import reports as sandbox_reports
from orchestration.spapi import json_reports
from orchestration.spapi.json_reports import parse_sales_and_traffic, parse_search_terms
from orchestration.spapi.parsed import ReportFormatError
from sandbox_landing import day_spec

FIXTURES = Path(__file__).parents[1] / "fixtures" / "samples"
SALES_SAMPLE = FIXTURES / "amzn_schema_example_GET_SALES_AND_TRAFFIC_REPORT_DAY_SKU.json"
TERMS_SAMPLE = FIXTURES / "amzn_schema_example_GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT.json"


def one_day(doc: dict, day: str = "2024-06-11") -> dict:
    doc = copy.deepcopy(doc)
    doc["reportSpecification"]["dataStartTime"] = doc["reportSpecification"]["dataEndTime"] = day
    return doc


@pytest.fixture
def sales_doc() -> dict:
    return json.loads(SALES_SAMPLE.read_text())


def by_sku(report, sku):
    rows = report.frame.filter(pl.col("sku") == sku).to_dicts()
    assert len(rows) == 1
    return rows[0]


def test_sales_and_traffic_sample_values():
    report = parse_sales_and_traffic(SALES_SAMPLE.read_bytes(), date(2021, 6, 11), document_id="doc-st-1")
    assert report.report_type == "GET_SALES_AND_TRAFFIC_REPORT"
    assert report.frame["sku"].to_list() == ["AB-1C2D-EFGH", "CD-2E3F-GHIJ", "EF-3G4H-IJKL"]
    assert report.row_count_total == 3 and report.quarantine.height == 0
    first = by_sku(report, "AB-1C2D-EFGH")
    assert first["report_date"] == date(2021, 6, 11)
    assert first["marketplace_id"] == "ATVPDKIKX0DER"
    assert (first["parent_asin"], first["child_asin"]) == ("B123456789", "B123456789")
    assert first["sessions"] == 18
    assert (first["browser_sessions"], first["mobile_app_sessions"]) == (13, 5)
    assert first["page_views"] == 43
    assert (first["browser_page_views"], first["mobile_app_page_views"]) == (21, 22)
    assert first["units_ordered"] == 1
    assert first["total_order_items"] == 1
    assert first["ordered_product_sales_amount"] == Decimal("16.79")
    assert first["ordered_product_sales_currency"] == "USD"
    assert first["buy_box_pct"] == 95.24  # percent 0-100, not a fraction
    assert first["unit_session_pct"] == 7.69
    assert first["session_pct"] == 0.26
    assert first["sessions_b2b"] is None and first["ordered_product_sales_b2b_amount"] is None
    third = by_sku(report, "EF-3G4H-IJKL")
    assert third["ordered_product_sales_amount"] == Decimal("45.00")
    assert third["unit_session_pct"] == 300.0
    assert third["sessions"] == 6 and third["page_views"] == 63
    assert report.frame.schema["ordered_product_sales_amount"] == pl.Decimal(18, 2)
    assert report.frame.schema["buy_box_pct"] == pl.Float64


def test_sample_window_of_four_days_is_flagged(sales_doc):
    report = parse_sales_and_traffic(sales_doc, date(2021, 6, 12))
    assert report.warnings == ["per-SKU figures cover 2021-06-11..2021-06-14 (4 days), not only 2021-06-12"]
    single = parse_sales_and_traffic(one_day(sales_doc), date(2024, 6, 11))
    assert single.warnings == []


def test_report_date_outside_the_window_is_refused(sales_doc):
    with pytest.raises(ReportFormatError, match="covers 2021-06-11..2021-06-14, not 2021-07-01"):
        parse_sales_and_traffic(sales_doc, date(2021, 7, 1))


def test_only_sku_granularity_is_accepted(sales_doc):
    sales_doc["reportSpecification"]["reportOptions"]["asinGranularity"] = "CHILD"
    with pytest.raises(ReportFormatError, match="asinGranularity is CHILD"):
        parse_sales_and_traffic(sales_doc, date(2021, 6, 11))


def test_gzipped_bytes_are_accepted(sales_doc):
    raw = gzip.compress(json.dumps(one_day(sales_doc)).encode("utf-8"))
    report = parse_sales_and_traffic(raw, date(2024, 6, 11))
    assert report.encoding == "utf-8-sig"
    assert by_sku(report, "CD-2E3F-GHIJ")["ordered_product_sales_amount"] == Decimal("26.25")


def test_b2b_fields_and_totals_from_browser_plus_mobile(sales_doc):
    doc = one_day(sales_doc)
    entry = doc["salesAndTrafficByAsin"][0]
    del entry["trafficByAsin"]["sessions"], entry["trafficByAsin"]["pageViews"]
    entry["salesByAsin"].update(unitsOrderedB2B=1, totalOrderItemsB2B=1,
                                orderedProductSalesB2B={"amount": 16.79, "currencyCode": "GBP"})
    entry["trafficByAsin"].update(browserSessionsB2B=2, mobileAppSessionsB2B=1, browserPageViewsB2B=3,
                                  mobilePageViewsB2B=4, buyBoxPercentageB2B=50.5, unitSessionPercentageB2B=33.33)
    row = by_sku(parse_sales_and_traffic(doc, date(2024, 6, 11)), "AB-1C2D-EFGH")
    assert row["sessions"] == 18 and row["page_views"] == 43  # 13 + 5, 21 + 22
    assert row["units_ordered_b2b"] == 1
    assert row["ordered_product_sales_b2b_amount"] == Decimal("16.79")
    assert row["ordered_product_sales_b2b_currency"] == "GBP"
    assert row["sessions_b2b"] == 3 and row["page_views_b2b"] == 7
    assert row["buy_box_b2b_pct"] == 50.5 and row["unit_session_b2b_pct"] == 33.33


def test_malformed_entries_are_quarantined_and_others_load(sales_doc):
    doc = one_day(sales_doc)
    del doc["salesAndTrafficByAsin"][0]["sku"]
    doc["salesAndTrafficByAsin"][1]["trafficByAsin"]["sessions"] = "lots"
    doc["salesAndTrafficByAsin"][1]["salesByAsin"]["orderedProductSales"]["amount"] = 26.255
    report = parse_sales_and_traffic(json.dumps(doc), date(2024, 6, 11))
    assert report.frame["sku"].to_list() == ["EF-3G4H-IJKL"]
    assert report.row_count_total == 3 and report.quarantined_record_count == 2
    q = {(r["line_number"], r["field"]): r for r in report.quarantine.to_dicts()}
    assert q[(1, "sku")]["reason"] == "sku is missing"
    assert q[(1, "sku")]["header"] == "salesAndTrafficByAsin[0].sku"
    assert q[(2, "sessions")]["reason"] == "sessions 'lots' is not a whole number"
    assert q[(2, "sessions")]["value"] == "lots"
    assert q[(2, "sessions")]["header"] == "salesAndTrafficByAsin[1].trafficByAsin.sessions"
    assert "has more than 2 decimal places" in q[(2, "ordered_product_sales")]["reason"]
    assert json.loads(q[(2, "sessions")]["raw_record"])["sku"] == "CD-2E3F-GHIJ"


def test_wrong_report_type_is_refused():
    with pytest.raises(ReportFormatError, match="is a GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT report"):
        parse_sales_and_traffic(TERMS_SAMPLE.read_bytes(), date(2021, 6, 6))


def test_not_json_is_a_clear_error():
    with pytest.raises(ReportFormatError, match="not valid JSON"):
        parse_sales_and_traffic(b"sku\tsessions\n", date(2021, 6, 6))


def test_search_terms_sample():
    report = parse_search_terms(TERMS_SAMPLE.read_bytes(), document_id="doc-ba-1")
    frame = report.frame
    assert frame.height == 12 and report.row_count_total == 12 and report.quarantine.height == 0
    assert frame["report_period"].unique().to_list() == ["WEEK"]
    assert frame["period_start_date"].unique().to_list() == [date(2021, 6, 6)]
    assert frame["period_end_date"].unique().to_list() == [date(2021, 6, 12)]
    row = frame.filter((pl.col("search_term") == "search term rank one") & (pl.col("click_share_rank") == 2)).to_dicts()
    assert row == [{
        "marketplace_id": "ATVPDKIKX0DER", "report_period": "WEEK",
        "period_start_date": date(2021, 6, 6), "period_end_date": date(2021, 6, 12),
        "department_name": "Amazon.com", "search_term": "search term rank one", "search_frequency_rank": 1,
        "click_share_rank": 2, "clicked_asin": "B987654321", "click_share": 0.0726, "conversion_share": 0.0974,
    }]
    beauty = frame.filter(pl.col("clicked_asin") == "B1414156565").to_dicts()[0]
    assert beauty["department_name"] == "Beauty" and beauty["conversion_share"] == 0.0
    assert frame.filter(pl.col("department_name") == "Beauty").height == 6


def test_search_terms_malformed_entries():
    doc = json.loads(TERMS_SAMPLE.read_text())
    doc["dataByDepartmentAndSearchTerm"][0]["searchFrequencyRank"] = "high"
    del doc["dataByDepartmentAndSearchTerm"][4]["searchTerm"]
    doc["dataByDepartmentAndSearchTerm"][5]["clickShare"] = {"oops": 1}
    report = parse_search_terms(doc)
    assert report.frame.height == 9
    reasons = dict(zip(report.quarantine["line_number"], report.quarantine["reason"]))
    assert reasons == {
        1: "searchFrequencyRank 'high' is not a whole number",
        5: "searchTerm is missing",
        6: 'clickShare {"oops": 1} is not a number',
    }


# --- column by column and entry by entry read alike ---------------------------------------------------

def _both_ways(doc: dict, day: date):
    """The document as bytes (read column by column when it allows) and as a dict (always entry by entry)."""
    text = json.dumps(doc)
    by_columns = parse_sales_and_traffic(text.encode("utf-8"), day, document_id="doc")
    by_entries = parse_sales_and_traffic(json.loads(text, parse_float=Decimal), day, document_id="doc")
    assert by_columns.frame.schema == by_entries.frame.schema
    assert by_columns.frame.to_dicts() == by_entries.frame.to_dicts()
    assert by_columns.quarantine.to_dicts() == by_entries.quarantine.to_dicts()
    assert (by_columns.row_count_total, by_columns.warnings) == (by_entries.row_count_total, by_entries.warnings)
    return by_columns


def _read_by_columns(doc: dict, day: date) -> bool:
    reader = json_reports._TRAFFIC_READER
    columns = reader.read(json.dumps(doc).encode("utf-8"), None)
    return columns is not None and reader.frame(columns.entries, {"report_date": day, "marketplace_id": None}) is not None


def test_a_sandbox_day_reads_the_same_column_by_column():
    world = build_world(seed=3, listing_count=60, days=3)
    doc = json.loads(sandbox_reports.sales_and_traffic(world, day_spec(world.end_date), world.day))
    assert _read_by_columns(doc, world.end_date)
    assert _both_ways(doc, world.end_date).frame.height == len(doc["salesAndTrafficByAsin"]) > 0


def _entry(doc: dict, index: int = 0) -> dict:
    return doc["salesAndTrafficByAsin"][index]


EDITS = {
    "as sent": lambda d: None,
    "a count as text": lambda d: _entry(d)["trafficByAsin"].update(sessions="18"),
    "a whole count written 18.0": lambda d: _entry(d)["trafficByAsin"].update(sessions=18.0),
    "a count as a word": lambda d: _entry(d)["trafficByAsin"].update(sessions="lots"),
    "a fractional count": lambda d: _entry(d)["trafficByAsin"].update(sessions=18.5),
    "a boolean count": lambda d: _entry(d)["trafficByAsin"].update(sessions=True),
    "a boolean sku": lambda d: _entry(d).update(sku=False),
    "a numeric sku": lambda d: _entry(d).update(sku=12345),
    "an empty sku": lambda d: _entry(d).update(sku=""),
    "no sku": lambda d: _entry(d).pop("sku"),
    "an amount with 3 decimals": lambda d: _entry(d)["salesByAsin"]["orderedProductSales"].update(amount=26.255),
    "an amount as text": lambda d: _entry(d)["salesByAsin"]["orderedProductSales"].update(amount="26.25"),
    "an amount without its amount": lambda d: _entry(d)["salesByAsin"].update(orderedProductSales={"currencyCode": "GBP"}),
    "an amount as a number": lambda d: _entry(d)["salesByAsin"].update(orderedProductSales=26.25),
    "a percentage as an object": lambda d: _entry(d)["trafficByAsin"].update(buyBoxPercentage={"value": 1}),
    "an entry that is not an object": lambda d: d["salesAndTrafficByAsin"].append(7),
    "no totals, browser and mobile given": lambda d: [_entry(d)["trafficByAsin"].pop(k) for k in ("sessions", "pageViews")],
    "the other spelling only": lambda d: [d.pop("salesAndTrafficByDate")] + [
        e["trafficByAsin"].update(browerPageViews=e["trafficByAsin"].pop("browserPageViews"))
        for e in d["salesAndTrafficByAsin"]],
    "both spellings": lambda d: _entry(d, 1)["trafficByAsin"].update(browerPageViews=5),
    "a null under the first spelling": lambda d: _entry(d)["trafficByAsin"].update(browserPageViews=None,
                                                                                    browerPageViews=5),
    "no entries": lambda d: d.update(salesAndTrafficByAsin=[]),
    "no entries array": lambda d: d.pop("salesAndTrafficByAsin"),
}
READ_BY_COLUMNS = {"as sent", "a whole count written 18.0", "a numeric sku", "no totals, browser and mobile given",
                   "the other spelling only", "no entries"}


@pytest.mark.parametrize("edit", EDITS)
def test_column_and_entry_reading_agree(sales_doc, edit):
    doc = one_day(sales_doc)
    EDITS[edit](doc)
    _both_ways(doc, date(2024, 6, 11))
    assert _read_by_columns(doc, date(2024, 6, 11)) == (edit in READ_BY_COLUMNS)
