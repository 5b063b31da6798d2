"""The Dagster partition window as the dbt vars the incremental models filter on (min_date, max_date)."""

from __future__ import annotations

import datetime as dt
import json

import dagster as dg


def window_vars(window: dg.TimeWindow) -> dict[str, str]:
    """Daily partitions end at the next midnight (exclusive); dbt's window is inclusive: the last day is end - 1 day."""
    first = window.start.date()
    last = (window.end - dt.timedelta(days=1)).date()
    if last < first:
        raise ValueError(f"empty partition window {window.start} .. {window.end}")
    return {"min_date": first.isoformat(), "max_date": last.isoformat()}


def vars_argument(window: dg.TimeWindow) -> list[str]:
    return ["--vars", json.dumps(window_vars(window))]
