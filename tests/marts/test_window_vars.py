"""The partition window reaches dbt as inclusive min_date / max_date."""

import datetime as dt

import dagster as dg
import pytest

from orchestration.assets.dbt.window import vars_argument, window_vars

UTC = dt.timezone.utc


def _window(start: str, end: str) -> dg.TimeWindow:
    return dg.TimeWindow(dt.datetime.fromisoformat(start).replace(tzinfo=UTC),
                         dt.datetime.fromisoformat(end).replace(tzinfo=UTC))


def test_one_daily_partition_is_one_inclusive_day():
    assert window_vars(_window("2026-03-01", "2026-03-02")) == {"min_date": "2026-03-01", "max_date": "2026-03-01"}


def test_a_backfill_range_keeps_its_first_and_last_day():
    # A single-run backfill of 28 Feb..1 Mar 2028 (leap year): end is the midnight after the last day.
    assert window_vars(_window("2028-02-28", "2028-03-02")) == {"min_date": "2028-02-28", "max_date": "2028-03-01"}


def test_vars_argument_is_json_dbt_can_read():
    assert vars_argument(_window("2026-03-01", "2026-03-02")) == [
        "--vars", '{"min_date": "2026-03-01", "max_date": "2026-03-01"}']


def test_an_empty_window_is_refused():
    with pytest.raises(ValueError, match="empty partition window"):
        window_vars(_window("2026-03-02", "2026-03-02"))
