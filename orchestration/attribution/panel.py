"""The daily series attribution reads, as day x listing arrays: sessions, units, sales, buy box share, price."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import psycopg

# One row per listing-day with sales and traffic; the price is the last observed price of the day (price
# history), else the day's average selling price (sales / units), which real accounts always have.
PANEL_SQL = """
select m.listing_id::text, (m.time at time zone 'Europe/London')::date as day, coalesce(m.sessions, 0),
       coalesce(m.units_ordered, 0), coalesce(m.ordered_product_sales, 0)::float8, m.buy_box_pct::float8
from analytics.performance_metrics m
where m.time >= %(start)s and m.time < %(end)s
"""
PRICES_SQL = """
select h.listing_id::text, (h.time at time zone 'Europe/London')::date as day, h.price::float8
from pricing.price_history h
where h.time < %(end)s and h.source in ('sp_api', 'manual')
order by h.listing_id, h.time
"""
LISTINGS_SQL = """
select l.id::text, l.asin, coalesce(l.custom_category, l.category_id::text, l.browse_node_id::text, 'all')
from catalog.listings l
where l.variation_type is distinct from 'parent'
"""


@dataclass
class Panel:
    """Arrays indexed [listing, day]; `days[0]` is the first day. Missing listing-days are NaN / 0."""

    listing_ids: list[str]
    asins: list[str]
    categories: list[str]
    first_day: dt.date
    sessions: np.ndarray
    units: np.ndarray
    revenue: np.ndarray
    buy_box: np.ndarray  # share 0-1, NaN when not reported
    price: np.ndarray  # GBP, NaN when unknown
    reported: np.ndarray  # bool: a metrics row exists

    @property
    def day_count(self) -> int:
        return self.sessions.shape[1]

    def day_index(self, day: dt.date) -> int:
        return (day - self.first_day).days

    def day_of(self, k: int) -> dt.date:
        return self.first_day + dt.timedelta(days=int(k))

    def row(self, listing_id: str) -> int:
        return self._rows[listing_id]

    def __post_init__(self):
        self._rows = {x: i for i, x in enumerate(self.listing_ids)}


def load_panel(conn: psycopg.Connection, start: dt.date | None = None, end: dt.date | None = None) -> Panel:
    """Every listing's daily series between start and end (default: all metrics stored)."""
    if start is None or end is None:
        lo, hi = conn.execute("select min((time at time zone 'Europe/London')::date), "
                              "max((time at time zone 'Europe/London')::date) "
                              "from analytics.performance_metrics").fetchone()
        if lo is None:
            raise LookupError("no daily sales and traffic stored yet (analytics.performance_metrics is empty)")
        start, end = start or lo, end or hi
    listings = conn.execute(LISTINGS_SQL).fetchall()
    ids = [r[0] for r in listings]
    rows = {x: i for i, x in enumerate(ids)}
    n, days = len(ids), (end - start).days + 1
    sessions = np.zeros((n, days))
    units = np.zeros((n, days))
    revenue = np.zeros((n, days))
    buy_box = np.full((n, days), np.nan)
    reported = np.zeros((n, days), dtype=bool)
    bounds = {"start": dt.datetime.combine(start, dt.time()) - dt.timedelta(days=1),
              "end": dt.datetime.combine(end, dt.time()) + dt.timedelta(days=2)}
    with conn.cursor() as cur:
        cur.execute(PANEL_SQL, bounds)
        data = cur.fetchall()
    if data:
        lid, day, s, u, r, bb = zip(*data)
        i = np.array([rows.get(x, -1) for x in lid])
        k = np.array([(d - start).days for d in day])
        keep = (i >= 0) & (k >= 0) & (k < days)
        i, k = i[keep], k[keep]
        sessions[i, k] = np.asarray(s, float)[keep]
        units[i, k] = np.asarray(u, float)[keep]
        revenue[i, k] = np.asarray(r, float)[keep]
        buy_box[i, k] = np.array([np.nan if v is None else v / 100.0 for v in bb])[keep]
        reported[i, k] = True
    price = _daily_prices(conn, rows, start, days, bounds["end"])
    # Where no price was recorded, the day's average selling price stands in, carried forward.
    asp = np.where(units > 0, revenue / np.maximum(units, 1), np.nan)
    asp = _forward_fill(asp)
    price = np.where(np.isnan(price), asp, price)
    return Panel(ids, [r[1] for r in listings], [r[2] for r in listings], start, sessions, units, revenue, buy_box,
                 price, reported)


def _daily_prices(conn, rows: dict[str, int], start: dt.date, days: int, end: dt.datetime) -> np.ndarray:
    price = np.full((len(rows), days), np.nan)
    with conn.cursor() as cur:
        cur.execute(PRICES_SQL, {"end": end})
        data = cur.fetchall()
    for lid, day, p in data:  # ordered by time: the last price of a day wins
        i = rows.get(lid)
        if i is None:
            continue
        k = max((day - start).days, 0)
        if k < days:
            price[i, k] = p
    return _forward_fill(price)


def _forward_fill(a: np.ndarray) -> np.ndarray:
    idx = np.where(~np.isnan(a), np.arange(a.shape[1]), 0)
    np.maximum.accumulate(idx, axis=1, out=idx)
    out = a[np.arange(a.shape[0])[:, None], idx]
    return out
