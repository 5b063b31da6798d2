"""Keepa /product items into rows: csv padded and parsed here; short payloads load, bad items are rejected."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

SERIES = 36
KEEPA_MINUTE_OFFSET = 21564000  # unix_seconds = (keepa_minutes + 21564000) * 60
AMAZON_SELLER_IDS = {"A3P5ROKL5A1OLE"}  # Amazon.co.uk selling itself
# csv index -> (price column, out-of-stock column); -1 means no offer / out of stock.
PRICE_SERIES = {0: ("amazon_price_pence", "amazon_out_of_stock"), 1: ("new_price_pence", "new_out_of_stock"),
                10: ("new_fba_price_pence", "new_fba_out_of_stock")}
COUNT_SERIES = {3: "bsr", 11: "new_offer_count", 17: "review_count"}
HISTORY_COLUMNS = ["time", "amazon_price_pence", "new_price_pence", "new_fba_price_pence", "buy_box_price_pence",
                   "buy_box_shipping_pence", "bsr", "new_offer_count", "rating", "review_count", "buy_box_seller_id",
                   "amazon_out_of_stock", "new_out_of_stock", "new_fba_out_of_stock", "buy_box_out_of_stock"]


class Rejected(ValueError):
    """An item that cannot be loaded; the reason goes to raw.quarantine."""

    def __init__(self, reason: str, field: str | None = None, value=None):
        super().__init__(reason)
        self.reason, self.field, self.value = reason, field, value


@dataclass
class ParsedProduct:
    asin: str
    product: dict  # current state for competitors.products
    history: list[dict] = field(default_factory=list)  # one dict per instant, keys from HISTORY_COLUMNS


def keepa_time(minutes: int) -> dt.datetime:
    return dt.datetime.fromtimestamp((int(minutes) + KEEPA_MINUTE_OFFSET) * 60, dt.timezone.utc)


def pad_csv(csv) -> list:
    """Always 36 series: real payloads sometimes send fewer (keepa >= 1.5 then crashes); None = no data."""
    csv = list(csv or [])
    return (csv + [None] * SERIES)[:SERIES]


def _pairs(series, width: int = 2):
    series = series or []
    usable = len(series) - len(series) % width  # a truncated tail is dropped, not guessed
    for i in range(0, usable, width):
        yield series[i:i + width]


def parse_history(csv, buy_box_sellers=None) -> list[dict]:
    rows: dict[int, dict] = {}

    def row(t: int) -> dict:
        return rows.setdefault(int(t), {})

    csv = pad_csv(csv)
    for idx, (price_col, oos_col) in PRICE_SERIES.items():
        for t, v in _pairs(csv[idx]):
            row(t).update({price_col: None if v < 0 else int(v), oos_col: v < 0})
    for idx, col in COUNT_SERIES.items():
        for t, v in _pairs(csv[idx]):
            row(t)[col] = None if v < 0 or (col == "bsr" and v == 0) else int(v)
    for t, v in _pairs(csv[16]):  # rating 0-50 -> stars 0.0-5.0
        row(t)["rating"] = None if v < 0 else Decimal(int(v)) / 10
    for t, price, ship in _pairs(csv[18], 3):  # price incl. shipping, and the shipping part
        row(t).update({"buy_box_price_pence": None if price < 0 else int(price),
                       "buy_box_shipping_pence": None if ship < 0 else int(ship), "buy_box_out_of_stock": price < 0})
    for t, seller in _pairs(buy_box_sellers):
        if str(seller) not in ("-1", "-2", ""):  # -1: nobody has it, -2: unknown
            row(int(t))["buy_box_seller_id"] = str(seller)[:20]
    return [{"time": keepa_time(t), **{c: r.get(c) for c in HISTORY_COLUMNS[1:]}} for t, r in sorted(rows.items())]


def _last(rows: list[dict], col: str):
    for r in reversed(rows):
        if r.get(col) is not None:
            return r[col]
    return None


def parse_product(item) -> ParsedProduct:
    """One /product item. Raises Rejected for items we cannot key (no ASIN) or whose csv is not a list."""
    if not isinstance(item, dict):
        raise Rejected("product is not a JSON object")
    asin = item.get("asin")
    if not isinstance(asin, str) or len(asin) != 10 or not asin.isalnum():
        raise Rejected("product without a valid asin", "asin", asin)
    csv = item.get("csv")
    if csv is not None and not isinstance(csv, list):
        raise Rejected("csv is not a list", "csv", type(csv).__name__)
    try:
        history = parse_history(csv, item.get("buyBoxSellerIdHistory"))
    except (TypeError, ValueError) as exc:
        raise Rejected(f"unreadable csv: {exc}", "csv") from None
    stats = item.get("stats") if isinstance(item.get("stats"), dict) else {}
    seller = stats.get("buyBoxSellerId") or _last(history, "buy_box_seller_id")
    price = _last(history, "new_price_pence")
    bb = history[-1].get("buy_box_price_pence") if history and history[-1].get("buy_box_out_of_stock") is False else \
        _last(history, "buy_box_price_pence")
    rating = _last(history, "rating")
    tree = item.get("categoryTree") or []
    images = item.get("images") or []
    return ParsedProduct(asin.upper(), {
        "asin": asin.upper(), "title": item.get("title"), "brand": item.get("brand"),
        "category_path": [str(c.get("name")) for c in tree if isinstance(c, dict)] or None,
        "categories": [int(c) for c in item.get("categories") or [] if str(c).lstrip("-").isdigit()],
        "images": [i.get("m") for i in images if isinstance(i, dict) and i.get("m")] or None,
        "current_price": None if price is None else Decimal(price) / 100,
        "current_bsr": _last(history, "bsr"), "review_count": _last(history, "review_count"),
        "rating": rating, "buy_box_price": None if bb is None else Decimal(bb) / 100,
        "buy_box_seller": seller, "is_amazon_seller": bool(stats.get("buyBoxIsAmazon")) or seller in AMAZON_SELLER_IDS,
        "last_update": keepa_time(item["lastUpdate"]) if isinstance(item.get("lastUpdate"), int)
        and item["lastUpdate"] > 0 else None,
    }, history)
