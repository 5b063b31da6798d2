"""One price-suggestion run: history -> season -> elasticities -> best price per listing -> stored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl
import psycopg
from psycopg import sql

from orchestration.forecasting import settings
from orchestration.forecasting.forecast import forecast
from orchestration.forecasting.history import History, copy_frame, load_history
from orchestration.price_suggestions import elasticity, optimal

UNITS_NOW_DAYS = 28  # "units now" = the forecast's expected units a day over the next four weeks


@dataclass
class PriceRun:
    history: History
    estimates: elasticity.Estimates
    suggestions: list[optimal.Suggestion]
    suggested_on: dt.date
    written: int


def rival_prices(conn: psycopg.Connection, history: History) -> np.ndarray | None:
    """Listings x days of the median rival price, when dbt has built int_listing_rival_prices."""
    if not conn.execute("SELECT to_regclass('intermediate.int_listing_rival_prices') IS NOT NULL").fetchone()[0]:
        return None
    query = sql.SQL(optimal._sql("rival_prices")).format(first_day=sql.Literal(history.first_day),
                                                          last_day=sql.Literal(history.last_day))
    frame = copy_frame(conn, query, {"listing_id": pl.String, "day": pl.Date, "price": pl.Float64})
    index = {lid: i for i, lid in enumerate(history.listing_ids)}
    frame = frame.filter(pl.col("listing_id").is_in(list(index)) & pl.col("price").is_not_null())
    if not frame.height:
        return None
    out = np.full(history.units.shape, np.nan)
    out[[index[x] for x in frame["listing_id"].to_list()],
        [(d - history.first_day).days for d in frame["day"].to_list()]] = frame["price"].to_numpy()
    return out


def run(conn: psycopg.Connection, listing_ids: list[str] | None = None, history_days: int = 730) -> PriceRun:
    """Suggest prices for `listing_ids` (default every listing with sales history); the season and the category
    elasticities are always learnt from all listings."""
    history = load_history(conn, days=history_days)
    min_change = settings.read_number(conn, "pricing.suggestion_min_price_change_pct", 3, minimum=0.5)
    fc = forecast(history, horizon=UNITS_NOW_DAYS)
    est = elasticity.estimate(history, fc.season, min_change, rival_prices(conn, history))
    rails = optimal.load_guardrails(conn)
    units_now = fc.mean.mean(axis=1)
    rows = {lid: i for i, lid in enumerate(history.listing_ids)}
    wanted = history.listing_ids if listing_ids is None else [x for x in listing_ids if x in rows]
    # Each listing's draws are seeded by its id: its confidence does not depend on which others ran with it.
    suggestions = [optimal.suggest(lid, est, rows[lid], float(units_now[rows[lid]]), rails, min_change,
                                   np.random.default_rng(int(lid.replace("-", "")[:12], 16)))
                   for lid in wanted]
    suggested_on = history.last_day + dt.timedelta(days=1)
    written = optimal.write_suggestions(conn, suggestions, est, rows, suggested_on)
    return PriceRun(history, est, suggestions, suggested_on, written)
