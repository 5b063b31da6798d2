"""Daily sales history as dense listing x day matrices: units, sessions, Buy Box share, price, availability.

Prices: `pricing.price_history` from a listing's first recorded price on, before that (and where it has no
recorded price at all) the daily average selling price (ordered product sales / units ordered), carried
forward over days without sales. A real install accumulates price history from its first daily sync; the
sales history reaches back further, and its average selling price is the observable price of those days.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import psycopg
from psycopg import sql

SQL = Path(__file__).with_name("sql")


def read_sql(name: str) -> str:
    return (SQL / f"{name}.sql").read_text()


def copy_frame(conn: psycopg.Connection, query: sql.Composable | str, schema: dict) -> pl.DataFrame:
    """A COPY ... TO STDOUT (csv, header) query read straight into polars (millions of rows, no Python rows)."""
    buffer = io.BytesIO()
    with conn.cursor() as cur, cur.copy(query) as copy:
        for block in copy:
            buffer.write(block)
    buffer.seek(0)
    if buffer.getbuffer().nbytes == 0:
        return pl.DataFrame(schema=schema)
    return pl.read_csv(buffer, schema_overrides=schema)


@dataclass
class History:
    """Listing x day matrices over [first_day, last_day]; row i is listing_ids[i]."""

    listing_ids: np.ndarray
    skus: np.ndarray
    categories: np.ndarray
    days: list[dt.date]
    units: np.ndarray  # float, 0 on live days without a report row
    sessions: np.ndarray
    buy_box: np.ndarray  # fraction 0-1, NaN where there is no row
    price: np.ndarray  # listed price (history) or average selling price, NaN before anything is known
    price_from_history: np.ndarray  # bool: the price came from pricing.price_history
    live: np.ndarray  # bool: on or after the listing's first row
    available: np.ndarray  # live and the offer was shown (not a day with sessions but no Buy Box at all)

    @property
    def first_day(self) -> dt.date:
        return self.days[0]

    @property
    def last_day(self) -> dt.date:
        return self.days[-1]

    def rows_for(self, listing_ids) -> np.ndarray:
        where = {lid: i for i, lid in enumerate(self.listing_ids)}
        return np.array([where[x] for x in listing_ids if x in where], dtype=int)


def load_history(conn: psycopg.Connection, last_day: dt.date | None = None, days: int = 730,
                 listing_ids: list[str] | None = None) -> History:
    """The last `days` days up to `last_day` (default: the latest day with metrics)."""
    if last_day is None:
        last_day = conn.execute("SELECT max(coalesce(report_date, (time at time zone 'UTC')::date)) "
                                "FROM analytics.performance_metrics").fetchone()[0]
        if last_day is None:
            raise ValueError("analytics.performance_metrics is empty: there is no sales history to learn from")
    first_day = last_day - dt.timedelta(days=days - 1)
    since = dt.datetime.combine(first_day, dt.time(), dt.timezone.utc)
    until = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), dt.timezone.utc)
    listings = conn.execute(read_sql("listings")).fetchall()
    if listing_ids is not None:
        wanted = set(listing_ids)
        listings = [row for row in listings if row[0] in wanted]
    ids = np.array([r[0] for r in listings], dtype=object)
    index = {lid: i for i, lid in enumerate(ids)}
    n, t = len(ids), (last_day - first_day).days + 1
    metrics = copy_frame(conn, sql.SQL(read_sql("daily_metrics")).format(since=sql.Literal(since),
                                                                            until=sql.Literal(until)),
                         {"listing_id": pl.String, "day": pl.Date, "units": pl.Int64, "sessions": pl.Int64,
                          "buy_box_pct": pl.Float64, "ordered_product_sales": pl.Float64})
    prices = copy_frame(conn, sql.SQL(read_sql("price_history")).format(until=sql.Literal(until)),
                        {"listing_id": pl.String, "day": pl.Date, "price": pl.Float64})

    units = np.zeros((n, t))
    sessions = np.zeros((n, t))
    buy_box = np.full((n, t), np.nan)
    asp = np.full((n, t), np.nan)
    has_row = np.zeros((n, t), dtype=bool)
    metrics = metrics.filter(pl.col("listing_id").is_in(list(index)))
    if metrics.height:
        r = np.array([index[x] for x in metrics["listing_id"].to_list()])
        c = np.array([(d - first_day).days for d in metrics["day"].to_list()])
        u = metrics["units"].to_numpy().astype(float)
        units[r, c] = u
        sessions[r, c] = metrics["sessions"].to_numpy()
        buy_box[r, c] = metrics["buy_box_pct"].fill_null(np.nan).to_numpy() / 100.0
        sales = metrics["ordered_product_sales"].fill_null(np.nan).to_numpy()
        asp[r, c] = np.where(u > 0, sales / np.maximum(u, 1), np.nan)
        has_row[r, c] = True

    listed = np.full((n, t), np.nan)
    prices = prices.filter(pl.col("listing_id").is_in(list(index)))
    if prices.height:
        r = np.array([index[x] for x in prices["listing_id"].to_list()])
        c = np.array([(d - first_day).days for d in prices["day"].to_list()])
        before = c < 0  # a price set before the window holds at its start
        c = np.maximum(c, 0)
        order = np.lexsort((~before, c, r))  # within a day, an in-window change wins over an older carried price
        listed[r[order], c[order]] = prices["price"].to_numpy()[order]
    listed = _carry_forward(listed)
    from_history = ~np.isnan(listed)
    price = np.where(from_history, listed, _carry_back(_carry_forward(asp)))

    live = np.cumsum(has_row, axis=1) > 0
    shown = ~(has_row & (sessions > 0) & (np.nan_to_num(buy_box, nan=1.0) <= 0))
    categories = np.array([r[2] for r in listings], dtype=object)
    return History(ids, np.array([r[1] for r in listings], dtype=object), categories,
                   [first_day + dt.timedelta(days=k) for k in range(t)], units, sessions, buy_box, price,
                   from_history, live, live & shown)


def _carry_forward(a: np.ndarray) -> np.ndarray:
    """Each NaN replaced by the last value before it in its row."""
    idx = np.where(~np.isnan(a), np.arange(a.shape[1]), 0)
    np.maximum.accumulate(idx, axis=1, out=idx)
    out = a[np.arange(a.shape[0])[:, None], idx]
    return out


def _carry_back(a: np.ndarray) -> np.ndarray:
    return _carry_forward(a[:, ::-1])[:, ::-1]
