"""Discovery links rivals by category, search term and price band, learns from Buy Box sellers once, and converges."""

from __future__ import annotations

from decimal import Decimal

import pytest
from psycopg.types.json import Jsonb

from keepa_kit import FakeClock, budget_for, client_for, reset, rivals, seed_listings, start_sandbox
from orchestration.keepa import discovery
from orchestration.keepa.discovery import discover_competitors
from orchestration.keepa.ingest import ingest_products
from orchestration.sandbox import world_competitors
from orchestration.sandbox.keepa_routes import state
from orchestration.sandbox.world_catalog_data import CATEGORIES

LINKS = ("SELECT p.asin, t.listing_id, t.reason, t.status FROM competitors.tracking t "
         "JOIN competitors.products p ON p.id = t.competitor_id ORDER BY 1, 2")


@pytest.fixture
def clean(db):
    reset(db)
    db.execute("UPDATE system.settings SET value = %s WHERE key = 'competitors.price_band'",
               (Jsonb({"min_ratio": 0.5, "max_ratio": 2.0}),))
    return db


def _tracked(db) -> list[str]:
    return [a for (a,) in db.execute("SELECT DISTINCT p.asin FROM competitors.products p JOIN competitors.tracking t "
                                     "ON t.competitor_id = p.id AND t.status <> 'ignored' ORDER BY 1").fetchall()]


def _node_of_listing(world, listing_ids) -> dict:
    return {lid: int(CATEGORIES[world.listings[idx].category]["node"]) for idx, lid in listing_ids.items()}


def _price_today(server, asin) -> Decimal | None:
    comp = state(server).competitors
    v = comp.day_values(comp.by_asin[asin], server.world.end_date.toordinal())
    return None if v is None or v["new"] < 0 else Decimal(v["new"]) / 100


def test_discovery_links_rivals_to_our_listings_and_respects_ignore_and_pin(clean):
    db, clock = clean, FakeClock()
    with start_sandbox(clock=clock) as server:
        world = server.world
        listing_ids = seed_listings(db, world)
        node_of = _node_of_listing(world, listing_ids)
        client = client_for(server, clock)
        counts = discover_competitors(db, client, budget=budget_for(db, clock))
        assert counts["proposed"] > 0 and counts["links"] > 0 and counts["new_links"] == counts["links"]
        links = {(a, lid) for a, lid, _, _ in db.execute(LINKS).fetchall()}
        live = [r for r in rivals(server) if state(server).competitors.day_values(r, world.end_date.toordinal())]
        assert len(live) < len(rivals(server))  # entrants launching after today are not found yet
        for r in live:  # each rival on sale is linked to the listing it was made against
            assert (r.asin, listing_ids[r.listing_idx]) in links
        for asin, listing_id in links:  # and only to listings of its own category
            assert node_of[listing_id] == state(server).competitors.by_asin[asin].node
        reasons = {r for (r,) in db.execute("SELECT DISTINCT reason FROM competitors.tracking").fetchall()}
        assert reasons == {"category", "search_term"}
        assert db.execute("SELECT count(*) FROM competitors.products WHERE is_own_asin").fetchone()[0] == 0

        ignored, pinned = rivals(server)[0].asin, rivals(server)[1].asin
        db.execute("UPDATE competitors.tracking t SET status = 'ignored' FROM competitors.products p "
                   "WHERE p.id = t.competitor_id AND p.asin = %s", (ignored,))
        db.execute("UPDATE competitors.tracking t SET status = 'pinned' FROM competitors.products p "
                   "WHERE p.id = t.competitor_id AND p.asin = %s", (pinned,))
        pinned_before = db.execute("SELECT t.listing_id FROM competitors.tracking t JOIN competitors.products p "
                                   "ON p.id = t.competitor_id WHERE p.asin = %s ORDER BY 1", (pinned,)).fetchall()
        snapshot = db.execute("SELECT t.listing_id, t.status, t.last_seen_at FROM competitors.tracking t "
                              "JOIN competitors.products p ON p.id = t.competitor_id WHERE p.asin = %s "
                              "ORDER BY 1", (ignored,)).fetchall()
        ingest_products(db, client, _tracked(db), budget=budget_for(db, clock))
        clock.sleep(3600)
        again = discover_competitors(db, client, budget=budget_for(db, clock))
        assert again["skipped_ignored"] == 1
        assert db.execute("SELECT t.listing_id, t.status, t.last_seen_at FROM competitors.tracking t "
                          "JOIN competitors.products p ON p.id = t.competitor_id WHERE p.asin = %s "
                          "ORDER BY 1", (ignored,)).fetchall() == snapshot
        pinned_now = db.execute("SELECT t.listing_id FROM competitors.tracking t JOIN competitors.products p "
                                "ON p.id = t.competitor_id WHERE p.asin = %s AND t.status = 'pinned' ORDER BY 1",
                                (pinned,)).fetchall()
        assert pinned_now == pinned_before  # discovery may add links, never unpins
        tracked_for = db.execute("SELECT tracked_for_listings FROM competitors.products WHERE asin = %s",
                                 (ignored,)).fetchone()[0]
        assert tracked_for is None  # ignored everywhere: tracked for none of our listings
        # Traders who held rivals' Buy Boxes sell across categories: still no link leaves its category.
        for asin, listing_id, _, _ in db.execute(LINKS).fetchall():
            assert node_of[listing_id] == state(server).competitors.by_asin[asin].node


def test_a_rival_is_linked_only_within_the_price_band_of_our_listing(clean):
    db, clock = clean, FakeClock()
    with start_sandbox(clock=clock) as server:
        world = server.world
        listing_ids = seed_listings(db, world)
        our_price = {lid: Decimal(str(world.listings[idx].price)) for idx, lid in listing_ids.items()}
        node_of = _node_of_listing(world, listing_ids)
        client = client_for(server, clock)
        counts = discover_competitors(db, client, budget=budget_for(db, clock))
        links = db.execute(LINKS).fetchall()
        # Same category, outside 0.5x-2x of our price: the small world has such pairs, and none is linked.
        outside = {(r.asin, lid) for r in rivals(server) for lid in listing_ids.values()
                   if r.node == node_of[lid] and (p := _price_today(server, r.asin)) is not None
                   and not our_price[lid] / 2 <= p <= our_price[lid] * 2}
        assert outside and counts["outside_price_band"] >= len(outside)
        assert not outside & {(a, lid) for a, lid, _, _ in links}
        for asin, lid, _, _ in links:
            p = _price_today(server, asin)
            assert p is None or our_price[lid] / 2 <= p <= our_price[lid] * 2
        detail = db.execute("SELECT reason_detail FROM competitors.tracking WHERE reason = 'category' LIMIT 1"
                            ).fetchone()[0]
        assert detail.startswith("node ") and detail.endswith("x our price")

        # The seller narrows the band: discovery drops its own links now outside it, keeps pinned ones.
        r = next(x for x in rivals(server) if _price_today(server, x.asin) is not None
                 and abs(_price_today(server, x.asin) / our_price[listing_ids[x.listing_idx]] - 1) > Decimal("0.05"))
        db.execute("UPDATE competitors.tracking t SET status = 'pinned' FROM competitors.products p "
                   "WHERE p.id = t.competitor_id AND p.asin = %s AND t.listing_id = %s",
                   (r.asin, listing_ids[r.listing_idx]))
        db.execute("UPDATE system.settings SET value = %s WHERE key = 'competitors.price_band'",
                   (Jsonb({"min_ratio": 0.95, "max_ratio": 1.05}),))
        clock.sleep(3600)
        narrowed = discover_competitors(db, client, budget=budget_for(db, clock))
        assert narrowed["links_dropped_outside_price_band"] > 0 and narrowed["new_links"] == 0
        for asin, lid, _, status in db.execute(LINKS).fetchall():
            p = _price_today(server, asin)
            assert status == "pinned" or p is None or \
                our_price[lid] * Decimal("0.95") <= p <= our_price[lid] * Decimal("1.05")
        assert (r.asin, listing_ids[r.listing_idx], "pinned") in \
            {(a, lid, st) for a, lid, _, st in db.execute(LINKS).fetchall()}


def test_buy_box_sellers_lead_to_rivals_the_category_lists_missed_once_and_discovery_converges(clean, monkeypatch):
    # Short category lists (Keepa's are the top N of thousands): only the best-ranked rivals are found directly.
    monkeypatch.setattr(world_competitors, "BEST_SELLERS_SHOWN", 1)
    monkeypatch.setattr(discovery, "CATEGORY_PAGE", 1)
    monkeypatch.setattr(discovery, "TERM_PAGE", 1)
    db, clock = clean, FakeClock()
    with start_sandbox(clock=clock) as server:
        world = server.world
        listing_ids = seed_listings(db, world)
        node_of = _node_of_listing(world, listing_ids)
        client = client_for(server, clock)

        def run() -> dict:
            clock.sleep(3600)
            counts = discover_competitors(db, client, budget=budget_for(db, clock))
            ingest_products(db, client, _tracked(db), budget=budget_for(db, clock))
            return counts

        first = run()
        assert first["new_rivals"] > 0
        via_first = "SELECT count(*) FROM competitors.tracking WHERE reason = 'buy_box_seller'"
        assert db.execute(via_first).fetchone()[0] == 0
        # The second run learns from the history the first ingested: the storefronts of sellers who held
        # those rivals' Buy Boxes hold more rivals in the same categories.
        second = run()
        assert second["new_rivals"] > 0 and second["new_links"] > 0
        via = db.execute("SELECT p.asin, t.listing_id, t.reason_detail FROM competitors.tracking t "
                         "JOIN competitors.products p ON p.id = t.competitor_id "
                         "WHERE t.reason = 'buy_box_seller'").fetchall()
        assert via and all(d.startswith("buy box seller ") for _, _, d in via)
        for asin, listing_id, _ in via:
            assert node_of[listing_id] == state(server).competitors.by_asin[asin].node
        settled = db.execute(LINKS).fetchall()
        # A third identical run learns nothing new: rivals found through a seller do not lead further.
        third = run()
        assert third["new_rivals"] == 0 and third["new_links"] == 0
        assert db.execute(LINKS).fetchall() == settled
