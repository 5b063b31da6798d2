"""The simulated UK DIY & tools seller: a pure function of (seed, listing_count, date) plus API edits."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import OrderedDict

import numpy as np

from . import world_truth
from .world_catalog_data import SUPPRESSION_REASONS
from .world_catalog import CURRENCY, MARKETPLACE_ID, Listing, build_catalog, catalog_arrays
from .world_content import CONTENT_FIELDS, Dice, edited_content
from .world_events import (BLOCK_DAYS, EPOCH, TYPE_NAMES, block_of, build_events, latest_edit_block,
                           suppression_on)
from .world_fees import FeeQuote, quote
from .world_market import Market
from .world_orders import orders_for_day
from .world_supply import supply_tables
from .world_traffic import DayTraffic, generate_day, stock_on

_FIELD_TYPE = {name: t for t, name in TYPE_NAMES.items()}
SELLER_ID = "A2SANDBOXDIY01"


def default_end_date() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=1)


class World:
    """Everything the sandbox marketplace serves. Thread safe; runtime edits come from the API."""

    def __init__(self, seed: int = 42, listing_count: int = 200, days: int = 450, end_date: dt.date | None = None):
        if listing_count < 1 or days < 1:
            raise ValueError("listing_count and days must be positive")
        self.seed = int(seed)
        self.listing_count = int(listing_count)
        self.days = int(days)
        self.end_date = end_date or default_end_date()
        if self.start_date < EPOCH:
            raise ValueError(f"the simulated calendar starts on {EPOCH}; move end_date later or ask for fewer days")
        self.marketplace_id = MARKETPLACE_ID
        self.currency = CURRENCY
        self.seller_id = SELLER_ID
        self.listings: list[Listing] = build_catalog(self.seed, self.listing_count)
        self.arrays = catalog_arrays(self.seed, self.listings)
        self.by_sku = {x.sku: x for x in self.listings}
        self.by_asin: dict[str, list[Listing]] = {}
        for x in self.listings:
            self.by_asin.setdefault(x.asin, []).append(x)
        self._twin_of = np.array([x.twin_of for x in self.listings])
        self.events = build_events(self.seed, self.arrays, self._twin_of, self.end_date.toordinal() + 2 * BLOCK_DAYS)
        self.market = Market(self.seed, self.listings, self.arrays)
        self._lock = threading.RLock()
        self._cache: OrderedDict[int, DayTraffic] = OrderedDict()
        self._cache_days = max(16, min(1000, 1_000_000 // self.listing_count))
        self._content_cache: dict[tuple[int, str, int], object] = {}
        # Edits made through the Listings Items API: idx -> [(effective day ordinal, field, value)].
        self._edits: dict[int, list[tuple[int, str, object]]] = {}
        self.api_changes: list[dict] = []
        self._supply: tuple[dt.date, dict] | None = None

    # ----- calendar ---------------------------------------------------------------------------
    @property
    def start_date(self) -> dt.date:
        return self.end_date - dt.timedelta(days=self.days - 1)

    @property
    def today(self) -> dt.date:
        """The sandbox's 'now': the day after the last complete day."""
        return self.end_date + dt.timedelta(days=1)

    def window(self) -> list[dt.date]:
        return [self.start_date + dt.timedelta(days=k) for k in range(self.days)]

    def in_window(self, day: dt.date) -> bool:
        return self.start_date <= day <= self.end_date

    def advance_day(self, count: int = 1) -> dt.date:
        """Move 'now' forward; the past stays as it was, new days are generated the same way."""
        with self._lock:
            self.end_date += dt.timedelta(days=count)
            if block_of(self.end_date.toordinal()) + 1 >= self.events.blocks:
                self.events = build_events(self.seed, self.arrays, self._twin_of,
                                           self.end_date.toordinal() + 2 * BLOCK_DAYS)
            return self.end_date

    # ----- daily figures ----------------------------------------------------------------------
    def day(self, day: dt.date) -> DayTraffic:
        key = day.toordinal()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
            traffic = generate_day(self.seed, self.arrays, self.events, day, self._price_edits_on(key))
            self._cache[key] = traffic
            if len(self._cache) > self._cache_days:
                self._cache.popitem(last=False)
            return traffic

    def orders_on(self, day: dt.date) -> list[dict]:
        return orders_for_day(self.seed, self.listings, self.day(day), self.today)

    def price_on(self, idx: int, day: dt.date) -> float:
        return float(self.day(day).price[idx])

    def current_price(self, idx: int) -> float:
        """The live offer price: today's price, including API edits effective today."""
        return self.price_on(idx, self.today)

    def stock(self, day: dt.date | None = None) -> dict[str, np.ndarray]:
        return stock_on(self.arrays, (day or self.end_date).toordinal())

    def suppression(self, idx: int, day: dt.date | None = None) -> dict | None:
        day = day or self.today
        hit = suppression_on(self.events, idx, day.toordinal())
        if hit is None or not self.listings[idx].buyable or day < self.listings[idx].open_date:
            return None
        start, length, reason = hit
        code, title, attribute, message = SUPPRESSION_REASONS[reason]
        return {"start": dt.date.fromordinal(start), "end": dt.date.fromordinal(start + length - 1),
                "code": code, "reason": title, "attribute": attribute, "message": message}

    def fees(self, idx: int, price: float | None = None, fba: bool | None = None) -> FeeQuote:
        lst = self.listings[idx]
        p = self.current_price(idx) if price is None else price
        return quote(p, lst.dims_cm, lst.weight_g, lst.fulfilment == "AFN" if fba is None else fba)

    # ----- content ----------------------------------------------------------------------------
    def content_on(self, idx: int, day: dt.date | None = None) -> dict:
        """Title, bullets, description and search terms live on a day (planted edits and API edits)."""
        day_ord = (day or self.today).toordinal()
        lst = self.listings[idx]
        out = {f: self._planted_field(idx, f, day_ord) for f in CONTENT_FIELDS}
        for eff, field, value in self._edits.get(idx, []):
            if eff <= day_ord and field in out:
                out[field] = value
        out["images"] = lst.images
        return out

    def _planted_field(self, idx: int, field: str, day_ord: int):
        lst = self.listings[idx]
        src = lst.twin_of if lst.twin_of >= 0 else idx
        b = latest_edit_block(self.events, idx, _FIELD_TYPE[field], day_ord)
        if b is None:
            return getattr(self.listings[src], field)
        key = (src, field, b)
        if key not in self._content_cache:
            previous = self._planted_field(idx, field, int(self.events.ev_day[b, idx]) - 1)
            launch = {"bullets": self.listings[src].bullets}
            value = edited_content(self.listings[src].spec, field, launch, Dice.seeded(self.seed, 5, b, src))
            if value == previous:  # an edit always changes something
                value = _nudge(field, value)
            self._content_cache[key] = value
        return self._content_cache[key]

    # ----- API edits --------------------------------------------------------------------------
    def apply_edit(self, sku: str, changes: dict[str, object], source: str = "listings_api") -> list[dict]:
        """Record price/content edits effective today; later reports and catalog calls show them."""
        with self._lock:
            lst = self.by_sku[sku]
            eff = self.today
            records = []
            for field, value in changes.items():
                targets = [lst] if field == "price" else self.by_asin[lst.asin]
                for target in targets:
                    old = self.current_price(target.idx) if field == "price" else self.content_on(target.idx)[field]
                    self._edits.setdefault(target.idx, []).append((eff.toordinal(), field, value))
                    number = len(self.api_changes) + len(records) + 1
                    records.append(world_truth.api_change_record(self, target, eff, field, old, value, source, number))
            self._cache = OrderedDict((k, v) for k, v in self._cache.items() if k < eff.toordinal())
            self.api_changes.extend(records)
            return records

    def _price_edits_on(self, day_ord: int) -> dict[int, float]:
        out = {}
        for idx, edits in self._edits.items():
            for eff, field, value in edits:
                if field == "price" and eff <= day_ord:
                    out[idx] = float(value)  # later edits overwrite earlier ones
        return out

    # ----- other tables -----------------------------------------------------------------------
    def supply(self) -> dict[str, list[dict]]:
        """Suppliers, components, component prices and BOMs (a snapshot as of the end date)."""
        with self._lock:
            if self._supply is None or self._supply[0] != self.end_date:
                self._supply = (self.end_date, supply_tables(self.seed, self.listings, self.end_date))
            return self._supply[1]

    def search_terms_week(self, week_start: dt.date) -> list[dict]:
        strength: dict[str, list[tuple[str, float]]] = {}
        for lst in self.listings:
            if lst.buyable and lst.open_date <= week_start:
                for term in lst.spec["kind"]["keywords"]:
                    strength.setdefault(term, []).append((lst.asin, float(self.arrays["base_units"][lst.idx])))
        return self.market.search_terms_week(week_start, strength)

    def aplus_documents(self) -> list[dict]:
        """A+ documents: APPROVED (live) for listings with A+, plus unpublished drafts and rejections."""
        docs = []
        for lst in self.listings:
            if not lst.own_brand or lst.parent_idx >= 0 or lst.twin_of >= 0:
                continue
            key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"listing-helper-sandbox:{self.seed}:{lst.asin}"))
            if lst.has_aplus:
                status = "APPROVED"
            elif int(key[:2], 16) < 64:  # about a quarter of the rest have a document stuck in review
                status = "DRAFT" if int(key[2], 16) % 2 else "REJECTED"
            else:
                continue
            asins = [lst.asin] + [c.asin for c in self.listings if c.parent_idx == lst.idx]
            docs.append({"contentReferenceKey": key, "name": f"{lst.brand} {lst.spec['kind']['noun']} A+",
                         "status": status, "asins": asins, "brand": lst.brand,
                         "updateTime": dt.datetime.combine(lst.open_date + dt.timedelta(days=30), dt.time(9, 30),
                                                           tzinfo=dt.timezone.utc)})
        return docs

    # ----- ground truth -----------------------------------------------------------------------
    def ground_truth(self) -> dict:
        return world_truth.ground_truth(self)

    def write_ground_truth(self, path):
        """Write the planted truth as JSON, or JSON lines for a .jsonl path; returns the Path."""
        return world_truth.write_ground_truth(self, path)


def _nudge(field: str, value):
    if field == "title":
        return value + ", Trade Pack"
    if field == "bullets":
        return list(value) + ["FREE UK DELIVERY: Dispatched from our Midlands warehouse the same day."]
    if field == "description":
        return value + " Now in improved recyclable packaging."
    return value + " workshop"


def build_world(seed: int = 42, listing_count: int = 200, days: int = 450, end_date: dt.date | None = None) -> World:
    return World(seed=seed, listing_count=listing_count, days=days, end_date=end_date)

