"""One day of traffic, conversion, buy box, stock and sales for every listing, vectorised with numpy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

import numpy as np

from .world_calendar import day_factor
from .world_events import EventTable, price_99, state_on

RAMP_DAYS = 60  # a new listing takes about two months to reach its normal traffic


@dataclass
class DayTraffic:
    """Figures per listing for one UK calendar day (index = listing idx; parents are all zero)."""

    day: dt.date
    price: np.ndarray
    sessions: np.ndarray
    browser_sessions: np.ndarray
    mobile_sessions: np.ndarray
    page_views: np.ndarray
    browser_page_views: np.ndarray
    mobile_page_views: np.ndarray
    units: np.ndarray
    order_items: np.ndarray
    units_refunded: np.ndarray
    revenue: np.ndarray
    buybox_pct: np.ndarray
    fulfillable: np.ndarray
    suppressed: np.ndarray
    live: np.ndarray

    def thinned(self, completeness: float, rng: np.random.Generator) -> "DayTraffic":
        """The same day as first reported before late traffic arrives: counts thinned, never raised."""
        p = float(np.clip(completeness, 0.0, 1.0))
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        browser_s = rng.binomial(self.browser_sessions, p)
        mobile_s = rng.binomial(self.mobile_sessions, p)
        browser_pv = np.maximum(rng.binomial(self.browser_page_views, p), browser_s)
        mobile_pv = np.maximum(rng.binomial(self.mobile_page_views, p), mobile_s)
        units = rng.binomial(self.units, p)
        items = np.minimum(rng.binomial(self.order_items, p), units)
        items = np.where((units > 0) & (items == 0), 1, items)
        out.update(browser_sessions=browser_s, mobile_sessions=mobile_s, sessions=browser_s + mobile_s,
                   browser_page_views=browser_pv, mobile_page_views=mobile_pv,
                   page_views=browser_pv + mobile_pv, units=units, order_items=items,
                   units_refunded=np.minimum(self.units_refunded, units), revenue=np.round(units * self.price_or_zero, 2))
        return DayTraffic(**out)

    @property
    def price_or_zero(self) -> np.ndarray:
        return np.nan_to_num(self.price, nan=0.0)


def stock_on(arrays: dict[str, np.ndarray], day_ord: int) -> dict[str, np.ndarray]:
    """FBA stock as a replenishment saw-tooth: closed form in the day, so no history is needed.

    A listing with cover < 1 runs dry for the last part of each cycle (a stock-out).
    """
    cycle = arrays["stock_cycle"]
    pos = (day_ord + arrays["stock_phase"]) % cycle
    rate = np.maximum(arrays["base_units"], 0.05)
    fulfillable = np.maximum(0, np.round(rate * (arrays["stock_cover"] * cycle - pos))).astype(np.int64)
    shipment = np.round(rate * cycle * arrays["stock_cover"]).astype(np.int64)
    fba = arrays["fba"]
    working = np.where(fba & (pos >= cycle - 35) & (pos < cycle - 21), shipment, 0)
    shipped = np.where(fba & (pos >= cycle - 21) & (pos < cycle - 3), shipment, 0)
    receiving = np.where(fba & (pos >= cycle - 3), shipment, 0)
    fulfillable = np.where(fba, fulfillable, 0)
    reserved = np.round(fulfillable * arrays["reserved_share"]).astype(np.int64)
    return {"fulfillable": fulfillable, "reserved": reserved, "inbound_working": working,
            "inbound_shipped": shipped, "inbound_receiving": receiving,
            "unsellable": np.where(fba, (arrays["stock_phase"] % 4 == 0).astype(np.int64), 0)}


def generate_day(seed: int, arrays: dict[str, np.ndarray], events: EventTable, day: dt.date,
                 price_override: dict[int, float] | None = None) -> DayTraffic:
    """All listings' figures for one day from a generator seeded by (seed, day): window independent."""
    n = len(arrays["buyable"])
    day_ord = day.toordinal()
    rng = np.random.default_rng([seed, 3, day_ord])
    state = state_on(events, day_ord)
    price = np.where(arrays["buyable"], price_99(arrays["price"] * state["price_level"]), np.nan)
    for idx, value in (price_override or {}).items():
        price[idx] = value
    age = day_ord - arrays["open_ord"]
    live = arrays["buyable"] & (age >= 0)
    ramp = np.clip((age + 1) / RAMP_DAYS, 0.0, 1.0)
    stock = stock_on(arrays, day_ord)
    out_of_stock = arrays["fba"] & (stock["fulfillable"] <= 0)
    suppressed = state["suppressed"] & live

    # Draw every random array in a fixed order, whatever is live, so a listing's noise is stable.
    bb_noise = rng.normal(0.0, 0.03, n)
    demand_noise = rng.gamma(8.0, 1.0 / 8.0, n)

    bb = np.clip(arrays["bb_base"] + bb_noise, 0.0, 1.0)
    bb = np.where(out_of_stock | ~live | suppressed, 0.0, bb)
    ref = np.where(arrays["buyable"], arrays["price"], 1.0)
    price_ratio = np.where(live, np.nan_to_num(price, nan=1.0) / ref, 1.0)
    # Conversion: base (incl. launch content quality) x own-price elasticity x planted content
    # effects x buy box share (a few sales still happen off the buy box via the offer listing page).
    conv = arrays["base_conv"] * price_ratio ** arrays["elasticity"] * state["conv_mult"] * (0.1 + 0.9 * bb)
    conv = np.where(out_of_stock, 0.0, np.clip(conv, 0.0, 0.9))
    base_sessions = np.where(live, arrays["base_units"] / np.maximum(
        arrays["base_conv"] * (0.1 + 0.9 * arrays["bb_base"]), 1e-6), 0.0)
    mean_sessions = base_sessions * day_factor(day) * ramp * state["sess_mult"]
    # Suppressed listings drop out of search; only a trickle of direct visits remains.
    mean_sessions = np.where(suppressed, mean_sessions * 0.03, mean_sessions)
    sessions = rng.poisson(mean_sessions * demand_noise)
    mobile_sessions = rng.binomial(sessions, arrays["mobile_share"])
    extra_pv = rng.poisson(sessions * (arrays["pv_per_session"] - 1.0))
    page_views = sessions + extra_pv
    mobile_pv = np.maximum(rng.binomial(page_views, arrays["mobile_share"]), mobile_sessions)
    mobile_pv = np.minimum(mobile_pv, page_views - (sessions - mobile_sessions))
    units = rng.poisson(sessions * np.where(suppressed, 0.0, conv))
    units = np.where(arrays["fba"], np.minimum(units, stock["fulfillable"]), units)
    extra_items = rng.binomial(np.maximum(units - 1, 0), 0.9)
    order_items = np.where(units > 0, 1 + extra_items, 0)
    refunded = rng.binomial(units, arrays["refund_rate"])
    price_or_zero = np.nan_to_num(price, nan=0.0)
    return DayTraffic(
        day=day, price=price, sessions=sessions, browser_sessions=sessions - mobile_sessions,
        mobile_sessions=mobile_sessions, page_views=page_views, browser_page_views=page_views - mobile_pv,
        mobile_page_views=mobile_pv, units=units, order_items=order_items, units_refunded=refunded,
        revenue=np.round(units * price_or_zero, 2), buybox_pct=np.round(bb * 100.0, 2),
        fulfillable=np.where(arrays["fba"], stock["fulfillable"], arrays["fbm_quantity"]),
        suppressed=suppressed, live=live)
