"""The market around the seller: rival offers, featured-offer prices, sales ranks, search terms.

Kept behind one small class so a fuller competitors module (price wars, stock-outs, Keepa
histories) can replace it: the server only calls the methods below.
"""

from __future__ import annotations

import datetime as dt
import zlib

import numpy as np

from .world_calendar import season_factor
from .world_catalog import Listing

_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
COMPETITOR_BRANDS = ["Toolzone", "Hardex", "ProFix UK", "Draper-ish", "BuildMate", "Fixman", "Rapide"]


class Market:
    def __init__(self, seed: int, listings: list[Listing], arrays: dict[str, np.ndarray]):
        self.seed = seed
        self.listings = listings
        self.arrays = arrays
        n = len(listings)
        rng = np.random.default_rng([seed, 6])
        self.rival_factor = rng.uniform(0.86, 1.08, n)  # cheapest rival vs our base price
        self.rival_offers = rng.integers(1, 14, n)
        self.rank_scale = rng.uniform(0.6, 1.6, n)
        pool_size = max(40, n)
        self.competitor_asins = ["B0" + "".join(_ALNUM[int(v * 36)] for v in row)
                                 for row in rng.random((pool_size, 8))]

    def rival_prices(self, day: dt.date) -> np.ndarray:
        """Cheapest rival landed price per listing on a day (NaN for parents)."""
        noise = np.random.default_rng([self.seed, 7, day.toordinal()]).normal(0.0, 0.025, len(self.listings))
        base = np.where(self.arrays["buyable"], self.arrays["price"], np.nan)
        return np.round(base * self.rival_factor * (1.0 + noise), 2)

    def featured_offer_expected_price(self, idx: int, day: dt.date, own_price: float) -> float:
        """Price at which our offer would be expected to win the featured offer."""
        rival = float(self.rival_prices(day)[idx])
        premium = 1.03 if self.listings[idx].fulfilment == "AFN" else 0.99
        return round(min(own_price * 1.15, rival * premium), 2)

    def sales_rank(self, idx: int, day: dt.date) -> int:
        expected = self.arrays["base_units"][idx] * season_factor(day)
        return int(max(1, round(900 * self.rank_scale[idx] / max(expected, 0.01) ** 0.85)))

    def search_terms_week(self, week_start: dt.date, seller_asins_by_term: dict[str, list[tuple[str, float]]]) -> list[dict]:
        """Brand Analytics rows for a Sunday-Saturday week: top three clicked ASINs per term."""
        rows = []
        for term, own in sorted(seller_asins_by_term.items()):
            key = zlib.crc32(term.encode())
            rng = np.random.default_rng([self.seed, 9, key, week_start.toordinal()])
            base_rank = 800 + key % 60000
            rank = int(base_rank / season_factor(week_start) * rng.uniform(0.85, 1.15))
            shares = sorted(rng.uniform(0.02, 0.2, 3), reverse=True)
            # Our best-selling ASIN for the term takes a top-3 slot when it sells well enough.
            own_sorted = sorted(own, key=lambda x: -x[1])
            pick_own = [a for a, strength in own_sorted if rng.random() < min(0.9, 0.25 + strength / 3)][:2]
            rivals = [self.competitor_asins[int(k)] for k in rng.choice(len(self.competitor_asins), 3, replace=False)]
            clicked = (pick_own + [r for r in rivals if r not in pick_own])[:3]
            ranks = rng.permutation(len(clicked))
            term_rows = []
            for pos, asin in enumerate(clicked):
                share = float(shares[ranks[pos]])
                term_rows.append({"departmentName": "Amazon.co.uk", "searchTerm": term,
                                  "searchFrequencyRank": rank, "clickedAsin": asin,
                                  "clickShareRank": int(ranks[pos]) + 1, "clickShare": round(share, 4),
                                  "conversionShare": round(share * float(rng.uniform(0.5, 1.5)), 4)})
            rows.extend(sorted(term_rows, key=lambda r: r["clickShareRank"]))
        return sorted(rows, key=lambda r: (r["searchFrequencyRank"], r["clickShareRank"]))
