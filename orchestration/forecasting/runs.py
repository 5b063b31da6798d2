"""One forecasting run: history -> pooled season -> forecasts and reorder suggestions, stored."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from orchestration.forecasting import reorder, settings
from orchestration.forecasting.forecast import Forecast, forecast, write_forecasts
from orchestration.forecasting.history import load_history


@dataclass
class ForecastRun:
    forecast: Forecast
    forecast_rows: int
    reorders: list
    reorder_rows: int


def run_forecasts(conn: psycopg.Connection, history_days: int = 730, listing_ids: list[str] | None = None) -> ForecastRun:
    """Load the history, fit (on every listing: the season is pooled), forecast `forecasting.horizon_days`
    ahead and store the forecasts and reorder suggestions of `listing_ids` (default all)."""
    history = load_history(conn, days=history_days)
    fc = forecast(history, horizon=int(settings.read_number(conn, "forecasting.horizon_days", 90, minimum=1)))
    rows = None if listing_ids is None else history.rows_for(listing_ids)
    written = write_forecasts(conn, fc, rows)
    reorders = reorder.suggest_reorders(conn, fc)
    if listing_ids is not None:
        wanted = set(listing_ids)
        reorders = [r for r in reorders if r.listing_id in wanted]
    return ForecastRun(fc, written, reorders, reorder.write_reorders(conn, fc, reorders))
