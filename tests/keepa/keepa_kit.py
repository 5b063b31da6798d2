"""Shared pieces of the Keepa tests: a small world, a fake clock, seeding our listings, tracking every rival."""

from __future__ import annotations

import datetime as dt

from psycopg.types.json import Jsonb

from orchestration.keepa.budget import TokenBudget
from orchestration.keepa.client import build_client
from orchestration.sandbox import SandboxServer, build_world
from orchestration.sandbox.keepa_routes import state
from orchestration.sandbox.world_catalog_data import CATEGORIES

END = dt.date(2026, 6, 30)
RATE, CAP = 60, 300  # the sandbox plan, mirrored into system.settings


def small_world():
    return build_world(seed=7, listing_count=30, days=60, end_date=END)


class FakeClock:
    """Moves only when slept: the client, the shared budget and the sandbox's bucket all read it."""

    def __init__(self, start: dt.datetime = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.timezone.utc)):
        self.t = start.timestamp()
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.t

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.t, dt.timezone.utc)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


def start_sandbox(faults: dict | None = None, clock: FakeClock | None = None) -> SandboxServer:
    server = SandboxServer(small_world(), faults={"keepa_tokens_per_minute": RATE, "keepa_token_bucket_max": CAP,
                                                  **(faults or {})}).start()
    if clock is not None:
        keepa = state(server)
        keepa.clock, keepa.last_tick = clock.time, clock.time()
    return server


def rivals(server):
    return state(server).competitors.rivals


def client_for(server, clock: FakeClock, **kw):
    return build_client(server.base_url, server.credentials.keepa_key, sleep=clock.sleep, **kw)


def budget_for(db, clock: FakeClock) -> TokenBudget:
    return TokenBudget(db, clock=clock.now)


def reset(db) -> None:
    """Each test starts from empty competitor, raw and catalog tables and the sandbox plan in settings."""
    db.execute("TRUNCATE competitors.alerts, competitors.tracking, competitors.price_history, competitors.products, "
               "raw.api_responses, raw.quarantine, system.keepa_token_budget, catalog.listings CASCADE")
    db.execute("UPDATE system.settings SET value = %s WHERE key = 'sync.keepa.tokens_per_minute'", (Jsonb(RATE),))
    db.execute("UPDATE system.settings SET value = %s WHERE key = 'sync.keepa.token_bucket_max'", (Jsonb(CAP),))


def seed_listings(db, world) -> dict[int, str]:
    """Our buyable listings into catalog.listings (+ price, keywords); returns world idx -> listing id."""
    ids = {}
    for lst in world.listings:
        if not lst.buyable:
            continue
        node = int(CATEGORIES[lst.category]["node"])
        lid = db.execute(
            "INSERT INTO catalog.listings (asin, sku, title, brand, browse_node_id, category_path) "
            "VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
            (lst.asin, lst.sku, lst.title, lst.brand, node, ["DIY & Tools", lst.category_display])).fetchone()[0]
        db.execute("INSERT INTO pricing.current_prices (listing_id, price) VALUES (%s, %s)", (lid, lst.price))
        for term in lst.spec["kind"]["keywords"][:2]:
            db.execute("INSERT INTO catalog.keywords (listing_id, keyword, keyword_normalized, source) "
                       "VALUES (%s, %s, %s, 'backend')", (lid, term, term.lower()))
        ids[lst.idx] = lid
    return ids


def track_all(db, server, listing_ids: dict[int, str]) -> None:
    """Link every rival to the listing it was generated against (what discovery would find)."""
    for r in rivals(server):
        cid = db.execute("INSERT INTO competitors.products (asin) VALUES (%s) ON CONFLICT (asin, marketplace_id) "
                         "DO UPDATE SET asin = EXCLUDED.asin RETURNING id", (r.asin,)).fetchone()[0]
        db.execute("INSERT INTO competitors.tracking (competitor_id, listing_id, reason) VALUES (%s, %s, 'manual') "
                   "ON CONFLICT DO NOTHING", (cid, listing_ids[r.listing_idx]))
