"""The Great Expectations suites catch impossible raw rows and pass sound ones."""

from decimal import Decimal

import polars as pl

from orchestration.assets.spapi.expectations import validate_rows


def _sales(**overrides) -> pl.DataFrame:
    row = {"sku": "SCREW-4X40", "sessions": 40, "page_views": 55, "units_ordered": 3,
           "ordered_product_sales_amount": Decimal("29.97"), "unit_session_pct": 7.5, "buy_box_pct": 98.0,
           "session_pct": 1.2}
    row.update(overrides)
    return pl.DataFrame([row, {**row, "sku": "DRILL-18V"}])


def test_sound_sales_and_traffic_rows_pass_twice_in_one_process():
    # 3 units from 1 session is a 300 % unit session percentage: normal for multi-packs
    assert validate_rows("raw.spapi_sales_and_traffic", _sales(sessions=1, units_ordered=3, unit_session_pct=300.0))[0]
    assert validate_rows("raw.spapi_sales_and_traffic", _sales())[0]  # the suite can run again in the same process


def test_impossible_sales_and_traffic_rows_fail_with_the_expectation_named():
    success, summaries = validate_rows("raw.spapi_sales_and_traffic", _sales(buy_box_pct=130.0, sessions=-2))
    failed = {(s["expectation"], s["column"]) for s in summaries if not s["passed"]}
    assert not success
    assert ("expect_column_values_to_be_between", "buy_box_pct") in failed
    assert ("expect_column_values_to_be_between", "sessions") in failed


def test_duplicate_skus_in_a_listings_report_fail():
    frame = pl.DataFrame({"seller_sku": ["A", "A"], "asin": ["B0AAAAAAAA", "B0AAAAAAAA"],
                          "price": [Decimal("9.99"), Decimal("9.99")], "quantity": [1, 2]})
    success, summaries = validate_rows("raw.spapi_merchant_listings", frame)
    assert not success
    assert any(s["expectation"] == "expect_column_values_to_be_unique" and not s["passed"] for s in summaries)
