"""Individual customer orders behind a day's units: ids, times, quantities, status, ship-to."""

from __future__ import annotations

import datetime as dt

import numpy as np

from .world_catalog import Listing
from .world_traffic import DayTraffic

_TOWNS = [("BIRMINGHAM", "West Midlands", "B15 2TT"), ("MANCHESTER", "Greater Manchester", "M4 1HN"),
          ("LEEDS", "West Yorkshire", "LS6 2AB"), ("BRISTOL", "Avon", "BS7 8QT"), ("NORWICH", "Norfolk", "NR2 4PD"),
          ("CARDIFF", "South Glamorgan", "CF14 3UZ"), ("GLASGOW", "Lanarkshire", "G12 8QQ"),
          ("EXETER", "Devon", "EX4 4QJ"), ("DERBY", "Derbyshire", "DE22 3HB"), ("LONDON", "", "SE15 4QL"),
          ("STOKE-ON-TRENT", "Staffordshire", "ST4 2DF"), ("BELFAST", "County Antrim", "BT9 5AB")]
# When UK shoppers order DIY kit: evenings and weekend mornings; index = local hour.
_HOUR_WEIGHTS = np.array([1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 3, 4, 4.5, 4.5, 4.5, 4, 4, 4, 4, 4.5, 5.5, 6.5, 7,
                          6, 4, 2], dtype=float)
_HOUR_WEIGHTS /= _HOUR_WEIGHTS.sum()
_ORDER_PREFIXES = ["202", "203", "204", "205", "206", "026"]


def _last_sunday(year: int, month: int) -> dt.date:
    d = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    return d - dt.timedelta(days=(d.weekday() + 1) % 7)


def uk_utc_offset_hours(day: dt.date) -> int:
    """1 during British Summer Time (last Sunday of March to last Sunday of October), else 0."""
    return 1 if _last_sunday(day.year, 3) <= day < _last_sunday(day.year, 10) else 0


def orders_for_day(seed: int, listings: list[Listing], traffic: DayTraffic, today: dt.date) -> list[dict]:
    """One row per order item; quantities per SKU add up to that day's units ordered."""
    day = traffic.day
    rng = np.random.default_rng([seed, 4, day.toordinal()])
    sellers = np.flatnonzero(traffic.units > 0)
    qty_parts = [1 + rng.multinomial(int(traffic.units[i] - traffic.order_items[i]),
                                     [1.0 / int(traffic.order_items[i])] * int(traffic.order_items[i]))
                 for i in sellers]
    owner = np.repeat(sellers, [len(q) for q in qty_parts]).astype(int)
    qty = np.concatenate(qty_parts) if qty_parts else np.zeros(0, dtype=int)
    m = len(qty)
    # Every per-order draw is one vector, in a fixed order, so the day's orders are cheap and stable.
    hours = rng.choice(24, size=m, p=_HOUR_WEIGHTS)
    minutes, seconds = rng.integers(0, 60, m), rng.integers(0, 60, m)
    prefix = rng.integers(0, 6, m)
    id_a, id_b = rng.integers(10**6, 10**7, m), rng.integers(10**6, 10**7, m)
    towns = rng.integers(0, len(_TOWNS), m)
    u_status, u_b2b, u_service = rng.random(m), rng.random(m), rng.random(m)
    update_hours = rng.uniform(2, 40, m)
    midnight_utc = dt.datetime.combine(day, dt.time()) - dt.timedelta(hours=uk_utc_offset_hours(day))
    age = (today - day).days
    rows = []
    for k in range(m):
        lst = listings[owner[k]]
        q = int(qty[k])
        placed = midnight_utc + dt.timedelta(hours=int(hours[k]), minutes=int(minutes[k]), seconds=int(seconds[k]))
        if u_status[k] < 0.015:
            status, item_status = "Cancelled", "Cancelled"
        elif age <= 1:
            status, item_status = ("Unshipped" if lst.fulfilment == "MFN" else "Pending"), "Unshipped"
        else:
            status, item_status = "Shipped", "Shipped"
        b2b = u_b2b[k] < 0.04
        town = _TOWNS[towns[k]]
        rows.append({
            "amazon-order-id": f"{_ORDER_PREFIXES[prefix[k]]}-{id_a[k]}-{id_b[k]}", "merchant-order-id": "",
            "purchase-date": placed.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            "last-updated-date": (placed + dt.timedelta(hours=float(update_hours[k]))).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            "order-status": status, "fulfillment-channel": "Amazon" if lst.fulfilment == "AFN" else "Merchant",
            "sales-channel": "Amazon.co.uk", "order-channel": "", "url": "",
            "ship-service-level": "Expedited" if u_service[k] < 0.35 else "Standard",
            "product-name": lst.title, "sku": lst.sku, "asin": lst.asin, "item-status": item_status,
            "quantity": q, "currency": "GBP",
            "item-price": "" if status == "Cancelled" else f"{float(traffic.price[owner[k]]) * q:.2f}",
            "item-tax": "", "shipping-price": "", "shipping-tax": "", "gift-wrap-price": "", "gift-wrap-tax": "",
            "item-promotion-discount": "", "ship-promotion-discount": "", "ship-city": town[0],
            "ship-state": town[1], "ship-postal-code": town[2], "ship-country": "GB", "promotion-ids": "",
            "is-business-order": "true" if b2b else "false", "purchase-order-number": "",
            "price-designation": "BusinessPrice" if b2b else ""})
    return rows
