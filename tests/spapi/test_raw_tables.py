"""The raw landing tables hold exactly the columns the parsers produce: drift fails here, not at load time."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from orchestration.spapi.flatfiles_specs import SPECS
from orchestration.spapi.json_reports import SALES_AND_TRAFFIC, parse_sales_and_traffic, parse_search_terms
from orchestration.spapi.loading import RAW_TABLES

META = {"report_document_id", "line_number", "_loaded_at"}
FIXTURES = Path(__file__).parents[1] / "fixtures" / "samples"


def _parser_columns(report_type: str) -> list[str]:
    if report_type in SPECS:
        return list(SPECS[report_type].columns)
    if report_type == SALES_AND_TRAFFIC:
        sample = (FIXTURES / "amzn_schema_example_GET_SALES_AND_TRAFFIC_REPORT_DAY_SKU.json").read_bytes()
        return parse_sales_and_traffic(sample, date(2021, 6, 11)).frame.columns
    sample = (FIXTURES / "amzn_schema_example_GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT.json").read_bytes()
    return parse_search_terms(sample).frame.columns


@pytest.mark.parametrize("report_type", sorted(RAW_TABLES))
def test_raw_table_columns_match_the_parser(db, report_type):
    actual = [row[0] for row in db.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        (RAW_TABLES[report_type],),
    ).fetchall()]
    assert [c for c in actual if c not in META] == [c for c in _parser_columns(report_type) if c not in META]
