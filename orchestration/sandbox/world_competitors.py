"""Rivals of the simulated seller as Keepa sees them: daily price, rank, offer, rating histories plus planted events.

Every value of day D is a pure function of (seed, rival, D): events sit on a fixed calendar of
56-day blocks from EPOCH, so widening or moving the window never changes a day already served.
Our own ASINs are here too, for their Buy Box seller history: we hold the Buy Box except during
planted hijacks, when Amazon or a trader takes it for a few hours to a few days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .world import SELLER_ID
from .world_catalog_data import CATEGORIES
from .world_events import EPOCH

_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
BRANDS = ["Toolzone", "Hardex", "ProFix UK", "Draperly", "BuildMate", "Fixman", "Rapide", "Workhorse"]
AMAZON_SELLER = "A3P5ROKL5A1OLE"  # Amazon.co.uk's own seller id
BLOCK = 56
EPOCH_ORD = EPOCH.toordinal()
ENTRANT_FROM, ENTRANT_DAYS = dt.date(2025, 7, 1), 540  # new entrants launch spread over this span
EVENTS = ("price_war", "stock_out", "rank_jump", "buy_box_switch", "title_change")
BEST_SELLERS_SHOWN = 100  # a category's best seller list is its top N, like Keepa's sub-category lists
HIJACK_SHARE = 0.06  # share of our ASINs whose Buy Box is taken once in a 56-day block
HIJACK_UNDERCUT = 0.96  # the taker wins the Buy Box by pricing a little under us


@dataclass(frozen=True)
class Rival:
    no: int  # stable number: listing idx * 4 + k
    asin: str
    listing_idx: int  # the listing of ours it was generated against
    category: str
    node: int
    title: str
    brand: str
    sellers: tuple[str, str]
    base_pence: int
    shipping_pence: int
    amazon_sells: bool
    base_rank: int
    first_day: int  # ordinal of the first observation Keepa has
    minute: int  # minute of the day its daily observation lands


@dataclass(frozen=True)
class OwnAsin:
    """One of our ASINs as Keepa tracks it (the first buyable SKU on it stands for the offer)."""

    asin: str
    listing_idx: int
    category: str
    node: int
    title: str
    brand: str
    fba: bool
    first_day: int  # the listing's open date (or EPOCH): Keepa has nothing before
    minute: int


@dataclass(frozen=True)
class Hijack:
    """Another seller holding the Buy Box on one of our ASINs from `start` until `end` (exclusive)."""

    start: dt.datetime
    end: dt.datetime
    seller: str


def _code(rng: np.random.Generator, prefix: str, n: int) -> str:
    return prefix + "".join(_ALNUM[int(v)] for v in rng.integers(0, 36, n))


def keepa_minutes(moment: dt.datetime) -> int:
    return int(moment.timestamp() // 60) - 21564000


def rival_moment(r: Rival, day_ord: int) -> dt.datetime:
    midnight = dt.datetime.combine(dt.date.fromordinal(day_ord), dt.time(), dt.timezone.utc)
    return midnight + dt.timedelta(minutes=r.minute)


class Competitors:
    """Rival ASINs for each buyable listing with their Keepa-style daily histories, and our own ASINs' Buy Box."""

    def __init__(self, seed: int, listings, market=None, seller_id: str = SELLER_ID):
        self.seed = seed
        self.seller_id = seller_id  # ours: the Buy Box holder on our ASINs when nobody hijacks it
        self.market = market
        self.rivals: list[Rival] = []
        # Market.competitor_asins (search-term click data) name the first rivals, so both views agree.
        pool = list(getattr(market, "competitor_asins", []) or [])
        used: set[str] = {x.asin for x in listings}
        # Second sellers come from a few traders who sell across categories: the Buy Box switches
        # to them, and their storefronts lead discovery to further rivals.
        traders = [_code(np.random.default_rng([seed, 34, k]), "A2", 12) for k in range(6)]
        self.traders = traders
        for lst in listings:
            if not lst.buyable:
                continue
            rng = np.random.default_rng([seed, 31, lst.idx])
            for k in range(int(rng.integers(1, 5))):
                no = lst.idx * 4 + k
                asin = pool[no] if no < len(pool) else None
                while asin is None or asin in used:
                    asin = _code(rng, "B0", 8)
                used.add(asin)
                brand = BRANDS[int(rng.integers(len(BRANDS)))]
                entrant = rng.random() < 0.3
                first = ENTRANT_FROM.toordinal() + int(rng.integers(ENTRANT_DAYS)) if entrant else EPOCH_ORD
                noun = lst.spec["kind"]["noun"]
                self.rivals.append(Rival(
                    no, asin, lst.idx, lst.category, int(CATEGORIES[lst.category]["node"]),
                    f"{brand} {noun} {lst.size or ''} Professional Grade".replace("  ", " "), brand,
                    (_code(rng, "A1", 12), traders[int(rng.integers(len(traders)))]),
                    int(round(lst.price * float(rng.uniform(0.85, 1.12)) * 100)),
                    int(rng.choice([0, 0, 299, 399])), rng.random() < 0.15,
                    int(rng.integers(800, 90000)), first, int(rng.integers(0, 24 * 60))))
        self.by_asin = {r.asin: r for r in self.rivals}
        self.own: dict[str, OwnAsin] = {}
        for lst in listings:
            if lst.buyable and lst.asin not in self.own:
                self.own[lst.asin] = OwnAsin(
                    lst.asin, lst.idx, lst.category, int(CATEGORIES[lst.category]["node"]), lst.title, lst.brand,
                    lst.fulfilment == "AFN", max(lst.open_date.toordinal(), EPOCH_ORD),
                    int(np.random.default_rng([seed, 35, lst.idx]).integers(0, 24 * 60)))

    # ----- planted events ---------------------------------------------------------------------
    @lru_cache(maxsize=200_000)
    def block_event(self, no: int, block: int) -> tuple[str, int, int, float] | None:
        """(event, start ordinal, end ordinal exclusive, size) planted for a rival in a block, or None."""
        rng = np.random.default_rng([self.seed, 32, no, block])
        u, start = rng.random(), EPOCH_ORD + block * BLOCK
        if u < 0.22:
            off = int(rng.integers(7, 21))
            return "price_war", start + off, start + off + int(rng.integers(14, 29)), float(rng.uniform(0.10, 0.25))
        if u < 0.40:
            off = int(rng.integers(7, 36))
            return "stock_out", start + off, start + off + int(rng.integers(3, 11)), 0.0
        if u < 0.55:
            off = int(rng.integers(7, 36))
            return "rank_jump", start + off, start + off + int(rng.integers(5, 13)), float(rng.uniform(2.5, 4.0))
        if u < 0.66:
            return "buy_box_switch", start + int(rng.integers(7, 41)), start + BLOCK, 0.0
        if u < 0.74:
            return "title_change", start + int(rng.integers(7, 50)), start + BLOCK, 0.0
        return None

    def _event_on(self, r: Rival, day_ord: int, kind: str):
        ev = self.block_event(r.no, (day_ord - EPOCH_ORD) // BLOCK)
        return ev if ev and ev[0] == kind and ev[1] <= day_ord < ev[2] else None

    def _title_changes(self, r: Rival, day_ord: int) -> int:
        return sum(1 for b in range((day_ord - EPOCH_ORD) // BLOCK + 1)
                   if (ev := self.block_event(r.no, b)) and ev[0] == "title_change" and ev[1] <= day_ord)

    def title_on(self, r: Rival, day_ord: int) -> str:
        changes = self._title_changes(r, day_ord)
        return r.title if changes == 0 else f"{r.title} - Pack of {changes + 1} (New {2019 + changes} Model)"

    def images_on(self, r: Rival, day_ord: int) -> list[str]:
        """A relaunch with a new title also brings a new main image (the pack shot)."""
        changes = self._title_changes(r, day_ord)
        return [f"{r.asin}-main{'' if changes == 0 else f'-v{changes + 1}'}.jpg", f"{r.asin}-side.jpg"]

    @lru_cache(maxsize=50_000)
    def hijack(self, listing_idx: int, block: int) -> Hijack | None:
        """The Buy Box hijack planted on one of our ASINs in a block, or None. It ends inside the block."""
        rng = np.random.default_rng([self.seed, 36, listing_idx, block])
        if rng.random() >= HIJACK_SHARE:
            return None
        day = dt.date.fromordinal(EPOCH_ORD + block * BLOCK + int(rng.integers(7, 45)))
        start = dt.datetime.combine(day, dt.time(), dt.timezone.utc) + dt.timedelta(
            minutes=int(rng.integers(6 * 60, 22 * 60)))
        hours = int(rng.integers(3, 97))  # a few hours to four days
        taker = AMAZON_SELLER if rng.random() < 0.35 else self.traders[int(rng.integers(len(self.traders)))]
        return Hijack(start, start + dt.timedelta(hours=hours), taker)

    def hijacks(self, o: OwnAsin, start: dt.date, end: dt.date) -> list[Hijack]:
        """Hijacks on our ASIN overlapping the days start..end (only while the listing is open)."""
        lo, hi = start.toordinal(), end.toordinal()
        out = []
        for b in range((lo - EPOCH_ORD) // BLOCK, (hi - EPOCH_ORD) // BLOCK + 1):
            h = self.hijack(o.listing_idx, b)
            if h and o.first_day <= h.start.date().toordinal() <= hi and h.end.date().toordinal() >= lo:
                out.append(h)
        return out

    def own_buy_box_sellers(self, o: OwnAsin, start: dt.date, end: dt.date) -> list[tuple[dt.datetime, str]]:
        """Keepa's buyBoxSellerIdHistory of our ASIN over start..end: who holds it from when (changes only).

        The first entry is at midnight of the first day, so a hijack on that day (they start from 06:00) shows.
        """
        first_ord = max(start.toordinal(), o.first_day)
        if first_ord > end.toordinal():
            return []
        first = dt.datetime.combine(dt.date.fromordinal(first_ord), dt.time(), dt.timezone.utc)
        last = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.timezone.utc)
        changes = [(first, self.seller_id)]
        for h in self.hijacks(o, start, end):
            if h.start <= first < h.end:
                changes[0] = (first, h.seller)
            elif first < h.start < last:
                changes.append((h.start, h.seller))
            if first < h.end < last:
                changes.append((h.end, self.seller_id))
        return sorted(changes)

    def own_history(self, o: OwnAsin, start: dt.date, end: dt.date, price_pence) -> list[tuple[dt.datetime, dict]]:
        """Daily Keepa-unit values of our ASIN; `price_pence(listing_idx, day)` is our offer price that day."""
        sellers = self.own_buy_box_sellers(o, start, end)
        out = []
        for d in range(max(start.toordinal(), o.first_day), end.toordinal() + 1):
            moment = dt.datetime.combine(dt.date.fromordinal(d), dt.time(), dt.timezone.utc) + \
                dt.timedelta(minutes=o.minute)
            holder = [s for t, s in sellers if t <= moment][-1]
            ours = int(price_pence(o.listing_idx, dt.date.fromordinal(d)))
            price = ours if holder == self.seller_id else int(round(ours * HIJACK_UNDERCUT))
            rank = self.market.sales_rank(o.listing_idx, dt.date.fromordinal(d)) if self.market else 5000
            age = d - o.first_day
            out.append((moment, {
                "amazon": price if holder == AMAZON_SELLER else None, "new": price,
                "new_fba": ours if o.fba else None, "bb_price": price, "bb_ship": 0, "rank": max(1, rank),
                "offers": 1 if holder == self.seller_id else 2, "rating": min(47, 40 + age // 120),
                "reviews": 5 + age // 6, "bb_seller": holder}))
        return out

    # ----- daily values -----------------------------------------------------------------------
    def day_values(self, r: Rival, day_ord: int) -> dict | None:
        """Keepa-unit values (pence, rank, rating 0-50) of a rival on a day; None before it launched."""
        if day_ord < r.first_day:
            return None
        rng = np.random.default_rng([self.seed, 33, r.no, day_ord])
        noise = rng.uniform(-0.008, 0.008, 3)
        war = self._event_on(r, day_ord, "price_war")
        base = r.base_pence * (1 - war[3] if war else 1.0)
        new = int(round(base * (1 + noise[0])))
        fba = int(round(base * 1.02 * (1 + noise[1])))
        out = self._event_on(r, day_ord, "stock_out") is not None
        jump = self._event_on(r, day_ord, "rank_jump")
        rank = int(r.base_rank * (jump[3] if jump else 1.0) * (1 + rng.uniform(-0.05, 0.05)))
        age = day_ord - max(r.first_day, EPOCH_ORD)
        switched = self._event_on(r, day_ord, "buy_box_switch") is not None
        return {
            "amazon": int(round(r.base_pence * 1.01 * (1 + noise[2]))) if r.amazon_sells else None,
            "new": -1 if out else new, "new_fba": -1 if out else fba,
            "bb_price": -1 if out else min(new, fba) + r.shipping_pence, "bb_ship": -1 if out else r.shipping_pence,
            "rank": max(1, rank), "offers": 0 if out else 1 + (r.no % 5) + (1 if switched else 0),
            "rating": min(48, 36 + age // 90), "reviews": 3 + age * (1 + r.no % 3) // 4,
            "bb_seller": None if out else r.sellers[1 if switched else 0],
        }

    def history(self, r: Rival, start: dt.date, end: dt.date) -> list[tuple[dt.datetime, dict]]:
        return [(rival_moment(r, d), v) for d in range(start.toordinal(), end.toordinal() + 1)
                if (v := self.day_values(r, d)) is not None]

    # ----- ground truth -----------------------------------------------------------------------
    def planted_events(self, start: dt.date, end: dt.date) -> list[dict]:
        """Detectable events in a window: each dated on the day the new value is first observed."""
        out: list[dict] = []
        lo, hi = start.toordinal(), end.toordinal()
        for r in self.rivals:
            if lo < r.first_day <= hi:
                out.append(_ev(r, "new_competitor", r.first_day, None, r.asin))
            for b in range((lo - EPOCH_ORD) // BLOCK, (hi - EPOCH_ORD) // BLOCK + 1):
                ev = self.block_event(r.no, b)
                if ev is None:
                    continue
                kind, s, e, size = ev
                # A rival's own Buy Box passing between its sellers is no loss of ours: no alert.
                pairs = {"price_war": (("price_drop", s), ("price_increase", e)),
                         "stock_out": (("out_of_stock", s), ("back_in_stock", e)),
                         "rank_jump": (("bsr_change", s), ("bsr_change", e)),
                         "buy_box_switch": (),
                         "title_change": (("listing_change", s),)}[kind]
                for name, day in pairs:
                    # Seen only with an observation the day before, inside the window and the rival's life.
                    # (A title shows in every payload, launched or not.)
                    if lo < day <= hi and (day - 1 >= r.first_day or name == "listing_change"):
                        before, after = self.value_for(r, name, day - 1), self.value_for(r, name, day)
                        out.append(_ev(r, name, day, before, after, kind=kind, size=size))
        for o in self.own.values():
            for h in self.hijacks(o, start, end):
                # The served seller history starts at midnight of the window's (or listing's) first day.
                if h.start.date().toordinal() >= lo:
                    out.append({"asin": o.asin, "event": "buy_box_lost", "date": h.start.date(), "time": h.start,
                                "old": self.seller_id, "new": h.seller, "listing_idx": o.listing_idx,
                                "kind": "hijack", "until": h.end})
        return sorted(out, key=lambda e: (e["date"], e["asin"], e["event"]))

    def value_for(self, r: Rival, event: str, day_ord: int):
        v = self.day_values(r, day_ord)
        if event == "listing_change":
            return self.title_on(r, day_ord)
        key = {"price_drop": "new", "price_increase": "new", "out_of_stock": "new", "back_in_stock": "new",
               "bsr_change": "rank"}[event]
        return v[key] if v else None

    # ----- discovery views --------------------------------------------------------------------
    def best_sellers(self, node: int, day: dt.date) -> list[str]:
        """ASINs of a category ordered by sales rank on a day (live rivals only)."""
        live = [(v["rank"], r.asin) for r in self.rivals if r.node == node
                and (v := self.day_values(r, day.toordinal())) is not None]
        return [a for _, a in sorted(live)][:BEST_SELLERS_SHOWN]

    def finder(self, selection: dict, day: dt.date) -> list[str]:
        """Product finder: rootCategory/categories_include, current_NEW_gte/lte (pence), title keyword."""
        nodes = set(int(x) for x in (selection.get("categories_include") or [])) | (
            {int(selection["rootCategory"])} if selection.get("rootCategory") else set())
        lo, hi = selection.get("current_NEW_gte"), selection.get("current_NEW_lte")
        words = str(selection.get("title") or "").lower().split()
        hits = []
        for r in self.rivals:
            v = self.day_values(r, day.toordinal())
            if v is None or (nodes and r.node not in nodes):
                continue
            if (lo is not None and v["new"] < int(lo)) or (hi is not None and v["new"] > int(hi)):
                continue
            if words and not all(w in self.title_on(r, day.toordinal()).lower() for w in words):
                continue
            hits.append(r.asin)
        return hits[: int(selection.get("perPage") or 50)]

    def seller_asins(self, seller_id: str, day: dt.date) -> list[str]:
        """A seller's storefront on a day: the rivals it offers that have launched (no future entrants)."""
        return [r.asin for r in self.rivals if seller_id in r.sellers and r.first_day <= day.toordinal()]


def _ev(r: Rival, event: str, day_ord: int, before, after, **extra) -> dict:
    return {"asin": r.asin, "event": event, "date": dt.date.fromordinal(day_ord),
            "time": rival_moment(r, day_ord), "old": before, "new": after, "listing_idx": r.listing_idx, **extra}


def competitor_events(world, start: dt.date | None = None, end: dt.date | None = None) -> list[dict]:
    """Ground truth: the planted competitor events of a world's window (asin, event, date, time, old, new)."""
    comp = Competitors(world.seed, world.listings, world.market, world.seller_id)
    return comp.planted_events(start or world.start_date, end or world.end_date)
