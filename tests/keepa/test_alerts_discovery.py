"""Alerts fire once per planted competitor event and never for noise; discovery links rivals and respects ignore."""

from __future__ import annotations

from collections import Counter

import pytest

from keepa_kit import FakeClock, budget_for, client_for, reset, rivals, seed_listings, start_sandbox, track_all
from orchestration.keepa.alerts import detect_alerts
from orchestration.keepa.discovery import discover_competitors
from orchestration.keepa.ingest import ingest_products
from orchestration.sandbox.keepa_routes import state
from orchestration.sandbox.world_catalog_data import CATEGORIES

TIMED = {"price_drop", "price_increase", "out_of_stock", "back_in_stock", "bsr_change", "buy_box_lost",
         "new_competitor"}


@pytest.fixture
def clean(db):
    reset(db)
    return db


def _alerts(db, types=TIMED) -> list[tuple]:
    return db.execute("SELECT p.asin, a.alert_type, a.event_at FROM competitors.alerts a "
                      "JOIN competitors.products p ON p.id = a.competitor_id WHERE a.alert_type = ANY(%s)",
                      (list(types),)).fetchall()


def test_each_alert_type_fires_exactly_once_per_planted_event_and_not_for_noise(clean):
    db, clock = clean, FakeClock()
    with start_sandbox(clock=clock) as server:
        world, comp = server.world, state(server).competitors
        listing_ids = seed_listings(db, world)
        track_all(db, server, listing_ids)
        first_start = world.start_date
        client = client_for(server, clock)
        ingest_products(db, client, [r.asin for r in rivals(server)], budget=budget_for(db, clock))
        counts = detect_alerts(db)
        truth = [e for e in comp.planted_events(first_start, world.end_date) if e["event"] in TIMED]
        assert set(Counter(e["event"] for e in truth)) == TIMED  # the small world plants every kind
        expected = Counter((e["asin"], e["event"], e["time"]) for e in truth)
        got = Counter(_alerts(db))
        assert got == expected
        assert counts == dict(Counter(e["event"] for e in truth))
        # Values, percentages, severity and our listings on a price drop.
        drop = next(e for e in truth if e["event"] == "price_drop")
        row = db.execute("SELECT a.previous_value, a.new_value, a.change_pct, a.severity, a.affected_listings "
                         "FROM competitors.alerts a JOIN competitors.products p ON p.id = a.competitor_id "
                         "WHERE p.asin = %s AND a.alert_type = 'price_drop' AND a.event_at = %s",
                         (drop["asin"], drop["time"])).fetchone()
        pct = (drop["new"] - drop["old"]) / drop["old"] * 100
        assert (row[0], row[1]) == (str(drop["old"]), str(drop["new"]))
        assert float(row[2]) == pytest.approx(pct, abs=0.01)
        assert row[3] == ("critical" if pct <= -20 else "high" if pct <= -10 else "medium")
        assert row[4] == [listing_ids[drop["listing_idx"]]]

        # The same data again, ingested and detected: nothing new.
        total = db.execute("SELECT count(*) FROM competitors.alerts").fetchone()[0]
        clock.sleep(600)
        ingest_products(db, client, [r.asin for r in rivals(server)], budget=budget_for(db, clock))
        assert detect_alerts(db) == {}
        assert db.execute("SELECT count(*) FROM competitors.alerts").fetchone()[0] == total

        # Days pass: title changes show between two payloads, and the new days' events fire too.
        first_end = world.end_date
        world.advance_day(40)
        clock.sleep(600)
        ingest_products(db, client, [r.asin for r in rivals(server)], budget=budget_for(db, clock))
        detect_alerts(db)
        later = comp.planted_events(first_start, world.end_date)
        assert Counter(_alerts(db)) == Counter((e["asin"], e["event"], e["time"]) for e in later if e["event"] in TIMED)
        titled = {e["asin"] for e in later if e["event"] == "listing_change" and e["date"] > first_end}
        assert titled, "the 40 days should contain a planted title change"
        changed = [a for a, _, _ in _alerts(db, {"listing_change"})]
        assert sorted(changed) == sorted(titled)
        asin = sorted(titled)[0]
        old, new = db.execute("SELECT a.previous_value::jsonb, a.new_value::jsonb FROM competitors.alerts a "
                              "JOIN competitors.products p ON p.id = a.competitor_id "
                              "WHERE p.asin = %s AND a.alert_type = 'listing_change'", (asin,)).fetchone()
        rival = comp.by_asin[asin]
        assert new == {"title": comp.title_on(rival, world.end_date.toordinal()),
                       "images": comp.images_on(rival, world.end_date.toordinal())}
        assert old["title"] == comp.title_on(rival, first_end.toordinal()) and old["images"] != new["images"]


def test_ignored_competitors_get_no_alerts(clean):
    db, clock = clean, FakeClock()
    with start_sandbox(clock=clock) as server:
        track_all(db, server, seed_listings(db, server.world))
        db.execute("UPDATE competitors.tracking SET status = 'ignored'")
        ingest_products(db, client_for(server, clock), [r.asin for r in rivals(server)[:10]],
                        budget=budget_for(db, clock))
        assert detect_alerts(db) == {}


def test_discovery_links_rivals_to_our_listings_and_respects_ignore_and_pin(clean):
    db, clock = clean, FakeClock()
    with start_sandbox(clock=clock) as server:
        world = server.world
        listing_ids = seed_listings(db, world)
        client = client_for(server, clock)
        counts = discover_competitors(db, client, budget=budget_for(db, clock))
        assert counts["proposed"] > 0 and counts["links"] > 0
        links = set(db.execute("SELECT p.asin, t.listing_id FROM competitors.tracking t "
                               "JOIN competitors.products p ON p.id = t.competitor_id").fetchall())
        live = [r for r in rivals(server) if state(server).competitors.day_values(r, world.end_date.toordinal())]
        assert len(live) < len(rivals(server))  # entrants launching after today are not found yet
        for r in live:  # each rival on sale is linked to the listing it competes with
            assert (r.asin, listing_ids[r.listing_idx]) in links
        for asin, listing_id in links:  # and only to listings of its own category
            node = state(server).competitors.by_asin[asin].node
            idx = next(i for i, lid in listing_ids.items() if lid == listing_id)
            assert int(CATEGORIES[world.listings[idx].category]["node"]) == node
        reasons = {r for (r,) in db.execute("SELECT DISTINCT reason FROM competitors.tracking").fetchall()}
        assert reasons == {"category", "search_term"}

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
        # Buy Box sellers seen in history lead to their other offers on the next discovery.
        ingest_products(db, client, [r.asin for r in rivals(server)], budget=budget_for(db, clock))
        clock.sleep(3600)
        again = discover_competitors(db, client, budget=budget_for(db, clock))
        assert again["skipped_ignored"] == 1
        via_sellers = db.execute("SELECT count(*) FROM competitors.tracking "
                                 "WHERE reason_detail LIKE 'buy box seller %%'").fetchone()[0]
        assert via_sellers > 0
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
