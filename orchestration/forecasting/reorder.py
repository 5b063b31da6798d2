"""Reorder suggestions and stock-out dates from the forecast, stock on hand and inbound, and supplier lead times.

Stock position = fulfillable + inbound (working, shipped, receiving). Lead-time demand is the forecast summed
over the lead time (its mean, and a 90 % upper bound from the negative binomial of the sum). Reorder point:
the seller's own (inventory.stock.reorder_point) when set, else the 90 % lead-time demand + safety stock.
Reorder now when the position is at or below it; the quantity covers the lead time plus the setting
`forecasting.order_cover_days` (at least the seller's reorder quantity). The stock-out date is the first day
the expected sales exceed the position; the early date uses the 90 % bound, and the order-by date is the
early stock-out date minus the lead time.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import psycopg

from orchestration.forecasting import settings
from orchestration.forecasting.forecast import MODEL_VERSION, Forecast
from orchestration.forecasting.history import read_sql

COVER_RATE_DAYS = 28
MAX_COVER_DAYS = 9_999_999.9  # the column's NUMERIC(8,1) limit: a listing that sells almost nothing


@dataclass
class Reorder:
    listing_id: str
    sku: str
    fulfillable: int
    inbound: int
    lead_time_days: int
    lead_time_source: str
    lead_time_demand: float
    lead_time_demand_p90: float
    reorder_point: int
    reorder_point_source: str
    days_of_cover: float | None
    stockout_date: dt.date | None
    stockout_date_early: dt.date | None
    reorder_now: bool
    order_by_date: dt.date | None
    suggested_quantity: int | None
    message: str


def _first_day_over(cumulative: np.ndarray, position: np.ndarray) -> np.ndarray:
    """Per listing, the first horizon day (1-based) whose cumulative demand exceeds the position; 0 = none."""
    over = cumulative > position[:, None]
    return np.where(over.any(axis=1), np.argmax(over, axis=1) + 1, 0)


def suggest_reorders(conn: psycopg.Connection, fc: Forecast) -> list[Reorder]:
    default_lead = int(settings.read_number(conn, "forecasting.default_lead_time_days", 30))
    cover_days = int(settings.read_number(conn, "forecasting.order_cover_days", 60))
    rows = {lid: i for i, lid in enumerate(fc.history.listing_ids)}
    stock = [r for r in conn.execute(read_sql("stock_positions")).fetchall() if r[0] in rows]
    if not stock:
        return []
    idx = np.array([rows[r[0]] for r in stock])
    fulfillable = np.array([int(r[1]) for r in stock])
    inbound = np.array([int(r[2]) for r in stock])
    position = (fulfillable + inbound).astype(float)
    lead = np.array([default_lead if r[6] is None else int(r[6]) for r in stock])
    horizon = fc.mean.shape[1]
    mean = fc.mean[idx]
    cum_mean = np.cumsum(mean, axis=1)
    rate = mean[:, :COVER_RATE_DAYS].mean(axis=1)
    sub = Forecast(fc.history, fc.season, fc.origin, fc.days, mean, fc.shape[idx], fc.alpha[idx])
    # Lead times past the horizon: the horizon's sums scaled up (the season beyond it is not modelled).
    within = np.minimum(lead, horizon)
    scale = np.where(lead > horizon, lead / horizon, 1.0)
    lead_mean = cum_mean[np.arange(len(idx)), np.maximum(within, 1) - 1] * (within > 0) * scale
    lead_p90 = sub.sum_quantile(0.9, within) * scale
    cum_p90 = np.stack([sub.sum_quantile(0.9, np.full(len(idx), k)) for k in range(1, horizon + 1)], axis=1)
    out_mean = _first_day_over(cum_mean, position)
    out_early = _first_day_over(cum_p90, position)

    suggestions = []
    for j, r in enumerate(stock):
        lid, safety, seller_point, seller_qty = r[0], int(r[5] or 0), r[3], r[4]
        point = int(seller_point) if seller_point is not None else int(math.ceil(lead_p90[j])) + safety
        expected = rate[j] > 0
        now = bool(expected and position[j] <= point)
        day = fc.origin
        stockout = day + dt.timedelta(days=int(out_mean[j])) if out_mean[j] else None
        early = day + dt.timedelta(days=int(out_early[j])) if out_early[j] else None
        order_by = early - dt.timedelta(days=int(lead[j])) if early else None
        quantity = None
        if now:
            need = lead_mean[j] + rate[j] * cover_days + safety - position[j]
            quantity = max(int(math.ceil(need)), int(seller_qty or 1), 1)
        cover = min(round(float(fulfillable[j] / rate[j]), 1), MAX_COVER_DAYS) if expected else None
        source = "supplier" if r[6] is not None else "setting"
        held = f"{int(fulfillable[j])} on hand + {int(inbound[j])} inbound"
        if not expected:
            message = f"No sales expected in the next {COVER_RATE_DAYS} days: no reorder ({held})."
        elif now:
            message = (f"Reorder {quantity} now: {held} is at or below the reorder point {point} "
                       f"(lead time {int(lead[j])} days)"
                       + (f"; expected to run out around {stockout}" if stockout else "")
                       + (f", possibly from {early}" if early and early != stockout else "") + ".")
        else:
            message = (f"No reorder yet: {held}, about {float(position[j] / rate[j]):.0f} days of sales"
                       + (f"; order by {order_by} (lead time {int(lead[j])} days)" if order_by else "") + ".")
        suggestions.append(Reorder(lid, str(fc.history.skus[rows[lid]]), int(fulfillable[j]), int(inbound[j]),
                                   int(lead[j]), source, round(float(lead_mean[j]), 1), round(float(lead_p90[j]), 1),
                                   point, "seller" if seller_point is not None else "forecast", cover, stockout,
                                   early, now, order_by, quantity, message))
    return suggestions


def write_reorders(conn: psycopg.Connection, fc: Forecast, reorders: list[Reorder]) -> int:
    """Upsert the origin's reorder suggestions and write days of cover onto inventory.stock (idempotent)."""
    now = dt.datetime.now(dt.timezone.utc)
    rows = {lid: i for i, lid in enumerate(fc.history.listing_ids)}
    with conn.transaction():
        conn.execute("CREATE TEMP TABLE reorder_in (LIKE inventory.reorder_suggestions) ON COMMIT DROP")
        with conn.cursor() as cur, cur.copy("COPY reorder_in FROM STDIN") as copy:
            for r in reorders:
                copy.write_row((r.listing_id, fc.origin, MODEL_VERSION, r.fulfillable, r.inbound, r.lead_time_days,
                                r.lead_time_source, r.lead_time_demand, r.lead_time_demand_p90, r.reorder_point,
                                r.reorder_point_source, r.days_of_cover, r.stockout_date, r.stockout_date_early,
                                r.reorder_now, r.order_by_date, r.suggested_quantity, r.message, now))
        written = conn.execute(read_sql("upsert_reorders")).rowcount
        conn.execute("CREATE TEMP TABLE cover_in (listing_id uuid, rate numeric) ON COMMIT DROP")
        with conn.cursor() as cur, cur.copy("COPY cover_in FROM STDIN") as copy:
            for r in reorders:
                copy.write_row((r.listing_id, round(float(fc.mean[rows[r.listing_id], :COVER_RATE_DAYS].mean()), 6)))
        conn.execute(read_sql("days_of_cover"))
    return written
