"""The profit-maximising price per listing inside its guard rails, with a confidence, or why there is none.

Margins come from dbt (marts.fct_listing_price_points: net margin at every candidate price from -20 % to +20 %
of the current price, in 1 % steps, with the same fee, VAT and landed-cost rules as fct_listing_margins), so
no fee rule is computed here a second time. Expected units at a candidate price p are units now x
(p / current price) ^ elasticity; profit a day = units x net margin. Candidates must keep the margin floor
(fct_listing_price_points.meets_margin_floor: landed cost + fees + margin floor, the floor_price_gbp of
fct_listing_margins), lie within the seller's min/max price, and not exceed the ceiling: the lower of the
seller's max price and Amazon's featured offer expected price (above it the offer is expected to lose the
Buy Box). The grid itself keeps suggestions within 20 % of the price the elasticity was measured around.

Confidence: elasticities are drawn from the estimate's uncertainty; the confidence is the share of draws
whose own best price lies within 3 % of the suggestion.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psycopg

from orchestration.price_suggestions.elasticity import Z80, Estimates

SQL = Path(__file__).with_name("sql")
MODEL_VERSION = "loglog_shrunk_v1"
DRAWS, CONFIDENCE_BAND = 400, 0.03


def _sql(name: str) -> str:
    return (SQL / f"{name}.sql").read_text()


@dataclass
class Suggestion:
    listing_id: str
    status: str
    message: str
    current_price: float | None = None
    floor_price: float | None = None
    ceiling_price: float | None = None
    ceiling_source: str | None = None
    optimal_price: float | None = None
    confidence_pct: float | None = None
    units_now: float | None = None
    units_at_optimal: float | None = None
    profit_now: float | None = None
    profit_at_optimal: float | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class Guardrails:
    """Per listing: current price, margin floor price, the seller's max price, the featured offer expected price,
    and the candidate grid (price, net margin or NaN, allowed by floor and seller limits)."""

    current: dict[str, float]
    floor: dict[str, float | None]
    max_price: dict[str, float | None]
    expected_featured: dict[str, float]
    rival_buy_box: dict[str, float]
    grid: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
    marts_built: bool


def load_guardrails(conn: psycopg.Connection) -> Guardrails:
    built = conn.execute("SELECT to_regclass('marts.fct_listing_price_points') IS NOT NULL "
                         "AND to_regclass('marts.fct_listing_margins') IS NOT NULL").fetchone()[0]
    current, floor, grid = {}, {}, {}
    if built:
        for lid, price, floor_price in conn.execute(_sql("margins")).fetchall():
            current[lid] = None if price is None else float(price)
            floor[lid] = None if floor_price is None else float(floor_price)
        rows: dict[str, list] = {}
        for lid, price, margin, allowed in conn.execute(_sql("price_points")).fetchall():
            rows.setdefault(lid, []).append((float(price), np.nan if margin is None else float(margin), allowed))
        for lid, points in rows.items():
            a = np.array(points, dtype=object)
            grid[lid] = (a[:, 0].astype(float), a[:, 1].astype(float), a[:, 2].astype(bool))
    limits = {lid: (None if mx is None else float(mx), None if fo is None else float(fo))
              for lid, mx, fo in conn.execute(_sql("ceilings")).fetchall()}
    rival_buy_box = {}
    if conn.execute("SELECT to_regclass('staging.stg_sp_api__competitive_pricing') IS NOT NULL").fetchone()[0]:
        rival_buy_box = {lid: float(p) for lid, p in conn.execute(_sql("rival_buy_box")).fetchall()}
    return Guardrails(current, floor, {k: v[0] for k, v in limits.items()},
                      {k: v[1] for k, v in limits.items() if v[1] is not None}, rival_buy_box, grid, built)


CEILING_WORDS = {"max_price": "your max price", "featured_offer_expected_price": "Amazon's featured offer expected price",
                 "rival_buy_box_price": "the rival's Buy Box price", "price_grid": "20 % above the current price"}


def _money(x: float | None) -> str:
    return "n/a" if x is None else f"£{x:,.2f}"


def suggest(listing_id: str, est: Estimates, i: int, units_now: float, rails: Guardrails,
            min_change_pct: float, rng: np.random.Generator) -> Suggestion:
    s = Suggestion(listing_id, "", "", current_price=rails.current.get(listing_id), units_now=units_now)
    s.floor_price = rails.floor.get(listing_id)
    expected = ((rails.expected_featured[listing_id], "featured_offer_expected_price")
                if listing_id in rails.expected_featured else (rails.rival_buy_box.get(listing_id), "rival_buy_box_price"))
    ceilings = [(v, src) for v, src in ((rails.max_price.get(listing_id), "max_price"), expected) if v is not None]
    points = rails.grid.get(listing_id)
    if ceilings:
        s.ceiling_price, s.ceiling_source = min(ceilings)
    elif points is not None:
        s.ceiling_price, s.ceiling_source = float(points[0].max()), "price_grid"

    if est.status[i] == "not_enough_price_variation":
        s.status = "not_enough_price_variation"
        s.message = (f"Not enough price variation: the price never changed by {min_change_pct:g} % or more with 14 "
                     f"days of sales either side, so how shoppers react to price cannot be measured. A deliberate "
                     f"test (e.g. +5 % for four weeks) would tell.")
        return s
    if est.status[i] != "estimated":
        s.status = "not_enough_sales"
        s.message = (f"Too few sales around its price changes ({int(est.units_used[i])} units) to measure how "
                     f"demand reacts to price.")
        return s
    if not rails.marts_built or points is None or s.current_price is None:
        s.status = "margin_unknown"
        s.message = ("No margins at candidate prices yet (dbt marts fct_listing_price_points / fct_listing_margins "
                     "not built, or the listing has no current price).")
        return s
    prices, margins, allowed = points
    if np.isnan(margins).all():
        s.status = "margin_unknown"
        s.message = ("Margin unknown: the landed cost or the fulfilment fee is missing, so the profit at another "
                     "price cannot be computed.")
        return s
    ok = allowed & ~np.isnan(margins) & (prices <= (s.ceiling_price if s.ceiling_price is not None else np.inf))
    if s.floor_price is not None and s.ceiling_price is not None and s.floor_price > s.ceiling_price:
        s.status = "no_price_within_guard_rails"
        if s.ceiling_source == "price_grid":
            s.message = (f"The margin floor price {_money(s.floor_price)} is more than 20 % above the current price "
                         f"{_money(s.current_price)}: every sale misses the margin floor. Review costs or the floor; "
                         f"a suggestion stays within 20 % of the price it was measured at.")
        else:
            s.message = (f"The margin floor price {_money(s.floor_price)} is above the ceiling "
                         f"{_money(s.ceiling_price)} ({CEILING_WORDS[s.ceiling_source]}): no price keeps both. Review "
                         f"costs or the margin floor.")
        return s
    if not ok.any():
        s.status = "no_price_within_guard_rails"
        s.message = (f"No price within 20 % of {_money(s.current_price)} keeps the margin floor "
                     f"({_money(s.floor_price)}) below the ceiling {_money(s.ceiling_price)}.")
        return s

    e = float(est.elasticity[i])
    sd = float((est.p90[i] - est.p10[i]) / (2 * Z80))
    ratio = prices[ok] / s.current_price
    profit = units_now * ratio ** e * margins[ok]
    best = int(np.argmax(profit))
    s.optimal_price = float(prices[ok][best])
    s.units_at_optimal = float(units_now * ratio[best] ** e)
    s.profit_at_optimal = float(profit[best])
    at_current = np.isclose(prices, s.current_price) & ~np.isnan(margins)
    s.profit_now = float(units_now * margins[at_current][0]) if at_current.any() else None
    draws = rng.normal(e, sd, DRAWS)
    best_per_draw = prices[ok][np.argmax(units_now * ratio[None, :] ** draws[:, None] * margins[ok][None, :], axis=1)]
    s.confidence_pct = round(100.0 * float((np.abs(best_per_draw / s.optimal_price - 1) <= CONFIDENCE_BAND).mean()), 1)
    s.status = "suggested"
    change = s.optimal_price / s.current_price - 1
    verb = "Keep" if abs(change) < 0.005 else ("Raise to" if change > 0 else "Lower to")
    what = _money(s.current_price) if verb == "Keep" else f"{_money(s.optimal_price)} ({change:+.0%})"
    gain = (f"; expected profit {_money(s.profit_now)} -> {_money(s.profit_at_optimal)} a day"
            if s.profit_now is not None else "")
    edge = " (a suggestion moves the price at most 20 % at a time)" if (
        s.ceiling_source == "price_grid" and s.optimal_price >= s.ceiling_price) else ""
    s.message = (f"{verb} {what}{edge}: elasticity {e:.2f} (80 %: {est.p10[i]:.2f} to {est.p90[i]:.2f}){gain}; "
                 f"confidence {s.confidence_pct:.0f} %.")
    return s


def write_suggestions(conn: psycopg.Connection, suggestions: list[Suggestion], est: Estimates, rows: dict[str, int],
                      suggested_on: dt.date) -> int:
    """Upsert pricing.price_suggestions for the day (idempotent) and copy the result onto pricing.current_prices."""
    def num(x, digits=3):
        return None if x is None or (isinstance(x, float) and np.isnan(x)) else round(float(x), digits)

    with conn.transaction():
        conn.execute("CREATE TEMP TABLE suggestion_in (LIKE pricing.price_suggestions) ON COMMIT DROP")
        columns = ["listing_id", "suggested_on", "model_version", "status", "message", "current_price", "days_used",
                   "units_used", "price_changes_used", "own_elasticity", "own_elasticity_se", "category_elasticity",
                   "own_weight", "elasticity", "elasticity_p10", "elasticity_p90", "floor_price", "ceiling_price",
                   "ceiling_source", "optimal_price", "confidence_pct", "units_per_day_now",
                   "units_per_day_at_optimal", "profit_per_day_now", "profit_per_day_at_optimal", "generated_at"]
        now = dt.datetime.now(dt.timezone.utc)
        with conn.cursor() as cur, cur.copy(f"COPY suggestion_in ({', '.join(columns)}) FROM STDIN") as copy:
            for s in suggestions:
                i = rows[s.listing_id]
                copy.write_row((s.listing_id, suggested_on, MODEL_VERSION, s.status, s.message, s.current_price,
                                int(est.days_used[i]), int(est.units_used[i]), int(est.price_changes[i]),
                                num(est.own[i]), num(est.own_se[i]), num(est.category[i]), num(est.own_weight[i]),
                                num(est.elasticity[i]), num(est.p10[i]), num(est.p90[i]), s.floor_price,
                                s.ceiling_price, s.ceiling_source, s.optimal_price, s.confidence_pct,
                                num(s.units_now), num(s.units_at_optimal), num(s.profit_now, 2),
                                num(s.profit_at_optimal, 2), now))
        written = conn.execute(_sql("upsert_suggestions")).rowcount
        conn.execute(_sql("current_prices_writeback"), {"suggested_on": suggested_on, "model": MODEL_VERSION})
    return written
