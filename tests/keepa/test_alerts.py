"""Alerts fire once per planted competitor event with the right values and severity, never for noise or twice."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from decimal import Decimal

import pytest
from psycopg.types.json import Jsonb

from keepa_kit import (CAP, END, RATE, FakeClock, budget_for, client_for, reset, rivals, seed_listings, start_sandbox,
                       track_all)
from orchestration.keepa import alerts
from orchestration.keepa.alerts import detect_alerts
from orchestration.keepa.ingest import ingest_products, our_asins
from orchestration.sandbox import SandboxServer, build_world
from orchestration.sandbox.keepa_routes import state
from orchestration.sandbox.world_competitors import AMAZON_SELLER

TIMED = {"price_drop", "price_increase", "out_of_stock", "back_in_stock", "bsr_change", "buy_box_lost",
         "new_competitor"}
# The defaults of migration 0120, written out again so that changing them is a decision a test notices.
DROP = {"low": 3, "medium": 5, "high": 10, "critical": 20}
RISE = {"low": 5, "medium": 20, "high": 40}
RANK_UP = {"low": 25, "medium": 50, "high": 75, "critical": 90}  # the rank number falling: a rival selling more
RANK_DOWN = {"low": 100}
FIXED = {"out_of_stock": "medium", "back_in_stock": "low", "new_competitor": "medium", "buy_box_lost": "high",
         "listing_change": "low"}


@pytest.fixture
def clean(db):
    reset(db)
    db.execute("UPDATE system.settings SET value = %s WHERE key = 'alerts.competitor_thresholds'",
               (Jsonb({"price_drop_pct": DROP, "price_increase_pct": RISE, "rank_improve_pct": RANK_UP,
                       "rank_worsen_pct": RANK_DOWN, "rank_jump_pct": {"low": 20, "medium": 50, "high": 100,
                                                                       "critical": 200}}),))
    return db


def _level(pct: float, levels: dict) -> str | None:
    hit = None
    for name in ("low", "medium", "high", "critical"):
        if name in levels and abs(pct) >= levels[name]:
            hit = name
    return hit


def _expected(e: dict) -> tuple:
    """(previous_value, new_value, change_pct, severity) an alert must carry for a planted event."""
    old, new, kind = e["old"], e["new"], e["event"]
    if kind in ("price_drop", "price_increase", "bsr_change"):
        pct = round((new - old) / old * 100, 2)
        levels = {"price_drop": DROP, "price_increase": RISE}.get(kind) or (RANK_UP if pct < 0 else RANK_DOWN)
        return str(old), str(new), Decimal(str(pct)), _level(pct, levels)
    if kind == "out_of_stock":
        return str(old), None, None, FIXED[kind]
    if kind == "back_in_stock":
        return None, str(new), None, FIXED[kind]
    if kind == "new_competitor":
        return None, "first seen", None, FIXED[kind]
    if kind == "buy_box_lost":
        return old, f"{new} (Amazon)" if new == AMAZON_SELLER else new, None, FIXED[kind]
    raise AssertionError(kind)


def _alerts(db, types=TIMED) -> list[tuple]:
    return db.execute("SELECT p.asin, a.alert_type, a.event_at FROM competitors.alerts a "
                      "JOIN competitors.products p ON p.id = a.competitor_id WHERE a.alert_type = ANY(%s)",
                      (list(types),)).fetchall()


def _alert_values(db, e: dict) -> tuple:
    return db.execute("SELECT a.previous_value, a.new_value, a.change_pct, a.severity FROM competitors.alerts a "
                      "JOIN competitors.products p ON p.id = a.competitor_id "
                      "WHERE p.asin = %s AND a.alert_type = %s AND a.event_at = %s",
                      (e["asin"], e["event"], e["time"])).fetchone()


def _ingest_all(db, server, client, clock):
    """Rivals, then our own ASINs (as the competitor_history asset does)."""
    ingest_products(db, client, [r.asin for r in rivals(server)] + our_asins(db), budget=budget_for(db, clock))


def test_each_alert_type_fires_exactly_once_per_planted_event_and_not_for_noise(clean):
    db, clock = clean, FakeClock()
    with start_sandbox(clock=clock) as server:
        world, comp = server.world, state(server).competitors
        seller_id = server.credentials.seller_id
        listing_ids = seed_listings(db, world)
        track_all(db, server, listing_ids)
        first_start = world.start_date
        client = client_for(server, clock)
        _ingest_all(db, server, client, clock)
        counts = detect_alerts(db, seller_ids=seller_id)
        truth = [e for e in comp.planted_events(first_start, world.end_date) if e["event"] in TIMED]
        # The small world plants every rival kind; Buy Box hijacks on our ASINs have their own test below.
        assert set(Counter(e["event"] for e in truth)) >= TIMED - {"buy_box_lost"}
        # Rivals' Buy Boxes do change hands here: none of that is a Buy Box we lost.
        switching = db.execute("SELECT count(*) FROM (SELECT competitor_id FROM competitors.price_history "
                               "GROUP BY 1 HAVING count(DISTINCT buy_box_seller_id) > 1) s").fetchone()[0]
        assert switching > 0
        expected = Counter((e["asin"], e["event"], e["time"]) for e in truth)
        assert Counter(_alerts(db)) == expected  # once per planted event; the daily wobble raises nothing
        assert counts == dict(Counter(e["event"] for e in truth))
        # Every alert carries the planted previous and new values, its change and a direction-aware severity.
        for e in truth:
            assert _alert_values(db, e) == _expected(e), e
        # Our listing on a rival's alert.
        drop = next(e for e in truth if e["event"] == "price_drop")
        affected = db.execute("SELECT a.affected_listings FROM competitors.alerts a JOIN competitors.products p "
                              "ON p.id = a.competitor_id WHERE p.asin = %s AND a.alert_type = 'price_drop' "
                              "AND a.event_at = %s", (drop["asin"], drop["time"])).fetchone()[0]
        assert affected == [listing_ids[drop["listing_idx"]]]

        # The same data again, detected again and then ingested and detected: nothing new.
        total = db.execute("SELECT count(*) FROM competitors.alerts").fetchone()[0]
        assert detect_alerts(db, seller_ids=seller_id) == {}
        clock.sleep(600)
        _ingest_all(db, server, client, clock)
        assert detect_alerts(db, seller_ids=seller_id) == {}
        assert db.execute("SELECT count(*) FROM competitors.alerts").fetchone()[0] == total

        # Days pass: title changes show between two payloads, and the new days' events fire too.
        first_end = world.end_date
        world.advance_day(40)
        clock.sleep(600)
        _ingest_all(db, server, client, clock)
        detect_alerts(db, seller_ids=seller_id)
        later = comp.planted_events(first_start, world.end_date)
        assert Counter(_alerts(db)) == Counter((e["asin"], e["event"], e["time"]) for e in later if e["event"] in TIMED)
        titled = {e["asin"] for e in later if e["event"] == "listing_change" and e["date"] > first_end}
        assert titled, "the 40 days should contain a planted title change"
        changed = [a for a, _, _ in _alerts(db, {"listing_change"})]
        assert sorted(changed) == sorted(titled)
        asin = sorted(titled)[0]
        old, new, sev = db.execute("SELECT a.previous_value::jsonb, a.new_value::jsonb, a.severity "
                                   "FROM competitors.alerts a JOIN competitors.products p ON p.id = a.competitor_id "
                                   "WHERE p.asin = %s AND a.alert_type = 'listing_change'", (asin,)).fetchone()
        rival = comp.by_asin[asin]
        assert new == {"title": comp.title_on(rival, world.end_date.toordinal()),
                       "images": comp.images_on(rival, world.end_date.toordinal())}
        assert old["title"] == comp.title_on(rival, first_end.toordinal()) and old["images"] != new["images"]
        assert sev == "low"
        # Our own ASINs were fetched too, flagged as ours, and raised no rival alert of any kind.
        own = db.execute("SELECT count(*) FROM competitors.products WHERE is_own_asin").fetchone()[0]
        assert own == len(comp.own) and own > 0
        assert db.execute("SELECT count(*) FROM competitors.alerts a JOIN competitors.products p "
                          "ON p.id = a.competitor_id WHERE p.is_own_asin AND a.alert_type <> 'buy_box_lost'"
                          ).fetchone()[0] == 0


def test_buy_box_lost_fires_once_when_another_seller_or_amazon_takes_our_buy_box(clean, caplog):
    """On our own ASINs only: a rival's Buy Box changing hands is not ours to lose."""
    db, clock = clean, FakeClock()
    # A wider world than the kit's: four hijacks of our ASINs, by traders and by Amazon, hours to days long.
    world = build_world(seed=7, listing_count=40, days=120, end_date=END)
    with SandboxServer(world, faults={"keepa_tokens_per_minute": RATE, "keepa_token_bucket_max": CAP}) as server:
        keepa = state(server)
        keepa.clock, keepa.last_tick = clock.time, clock.time()
        comp, seller_id = keepa.competitors, server.credentials.seller_id
        listing_ids = seed_listings(db, world)
        track_all(db, server, listing_ids)
        client = client_for(server, clock)
        ingest_products(db, client, [r.asin for r in rivals(server)] + our_asins(db), budget=budget_for(db, clock))
        truth = [e for e in comp.planted_events(world.start_date, world.end_date) if e["event"] == "buy_box_lost"]
        assert len(truth) >= 3 and AMAZON_SELLER in {e["new"] for e in truth} \
            and {e["new"] for e in truth} - {AMAZON_SELLER}
        spans = [e["until"] - e["time"] for e in truth]  # hours to days
        assert min(spans) < dt.timedelta(days=2) and max(spans) > dt.timedelta(days=3)

        with caplog.at_level(logging.WARNING, logger=alerts.__name__):
            assert "buy_box_lost" not in detect_alerts(db)  # no seller id: cannot tell our Buy Box from theirs
        assert "seller id is not configured" in caplog.text

        counts = detect_alerts(db, seller_ids=seller_id)
        assert counts["buy_box_lost"] == len(truth)
        got = db.execute("SELECT p.asin, a.event_at, p.is_own_asin, a.affected_listings FROM competitors.alerts a "
                         "JOIN competitors.products p ON p.id = a.competitor_id "
                         "WHERE a.alert_type = 'buy_box_lost' ORDER BY 2").fetchall()
        assert [(a, t) for a, t, _, _ in got] == [(e["asin"], e["time"]) for e in truth]
        for (asin, _, own, affected), e in zip(got, truth):
            assert own is True
            assert affected == sorted(listing_ids[x.idx] for x in world.by_asin[asin] if x.buyable)
            previous, new, pct, sev = _alert_values(db, e)
            assert (previous, new, pct, sev) == _expected(e)
            assert previous == seller_id and (new.endswith("(Amazon)") == (e["new"] == AMAZON_SELLER))
        # Our ASINs are not rivals: no tracking links, so no price, rank or stock alerts on them.
        assert db.execute("SELECT count(*) FROM competitors.tracking t JOIN competitors.products p "
                          "ON p.id = t.competitor_id WHERE p.is_own_asin").fetchone()[0] == 0

        # Once only: detecting again, or re-ingesting the same history, adds nothing.
        assert detect_alerts(db, seller_ids=seller_id) == {}
        clock.sleep(900)
        ingest_products(db, client, our_asins(db), budget=budget_for(db, clock))
        assert detect_alerts(db, seller_ids=seller_id) == {}
        assert db.execute("SELECT count(*) FROM competitors.alerts WHERE alert_type = 'buy_box_lost'"
                          ).fetchone()[0] == len(truth)


def test_ignored_competitors_get_no_alerts(clean):
    db, clock = clean, FakeClock()
    with start_sandbox(clock=clock) as server:
        track_all(db, server, seed_listings(db, server.world))
        db.execute("UPDATE competitors.tracking SET status = 'ignored'")
        ingest_products(db, client_for(server, clock), [r.asin for r in rivals(server)[:10]],
                        budget=budget_for(db, clock))
        assert detect_alerts(db, seller_ids=server.credentials.seller_id) == {}


T0 = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.timezone.utc)


def _rows(prices=None, ranks=None, stock=None):
    """One rival's history rows (time, new price pence, out of stock, rank), one a day."""
    n = len(prices or ranks or stock)
    return [(T0 + dt.timedelta(days=i), (prices or [None] * n)[i], (stock or [False] * n)[i], (ranks or [None] * n)[i])
            for i in range(n)]


LEVELS = {"price_drop": DROP, "price_increase": RISE, "rank_improve": RANK_UP, "rank_worsen": RANK_DOWN}


def _kinds(rows):
    return [(kind, old, new, None if pct is None else round(pct, 2), sev)
            for kind, old, new, pct, sev, _ in alerts._events(rows, LEVELS)]


def test_moves_below_the_lowest_threshold_are_noise_in_either_direction():
    # A price wobbling up to 2.9 % down and 4.9 % up, a rank number 24.9 % lower (better) or 99 % higher.
    assert _kinds(_rows(prices=[1000, 971, 1000, 1018, 1000, 1049, 1049])) == []
    assert _kinds(_rows(ranks=[5000, 3760, 4700, 3530, 3530])) == []
    assert _kinds(_rows(ranks=[5000, 9950])) == []


def test_price_drops_threaten_and_rises_rate_lower():
    assert _kinds(_rows(prices=[1000, 970])) == [("price_drop", 1000, 970, -3.0, "low")]
    assert _kinds(_rows(prices=[1000, 880])) == [("price_drop", 1000, 880, -12.0, "high")]
    assert _kinds(_rows(prices=[1000, 750])) == [("price_drop", 1000, 750, -25.0, "critical")]
    # The same sizes upwards: an opportunity for us, one or two levels lower.
    assert _kinds(_rows(prices=[1000, 1050])) == [("price_increase", 1000, 1050, 5.0, "low")]
    assert _kinds(_rows(prices=[1000, 1120])) == [("price_increase", 1000, 1120, 12.0, "low")]
    assert _kinds(_rows(prices=[1000, 1250])) == [("price_increase", 1000, 1250, 25.0, "medium")]
    assert _kinds(_rows(prices=[1000, 3000])) == [("price_increase", 1000, 3000, 200.0, "high")]  # never critical


def test_a_rank_improving_sharply_is_the_threat_and_worsening_is_a_note():
    assert _kinds(_rows(ranks=[8000, 6000])) == [("bsr_change", 8000, 6000, -25.0, "low")]
    assert _kinds(_rows(ranks=[8000, 3000])) == [("bsr_change", 8000, 3000, -62.5, "medium")]
    assert _kinds(_rows(ranks=[10000, 2000])) == [("bsr_change", 10000, 2000, -80.0, "high")]
    assert _kinds(_rows(ranks=[10000, 900])) == [("bsr_change", 10000, 900, -91.0, "critical")]
    assert _kinds(_rows(ranks=[3000, 8000])) == [("bsr_change", 3000, 8000, 166.67, "low")]
    assert _kinds(_rows(ranks=[1000, 9000])) == [("bsr_change", 1000, 9000, 800.0, "low")]  # a note, however large


def test_stock_out_and_back_fire_once_each_and_a_price_after_a_gap_is_measured_from_the_last_price():
    rows = _rows(prices=[1000, None, None, 1000], stock=[False, True, True, False])
    assert _kinds(rows) == [("out_of_stock", 1000, None, None, "medium"), ("back_in_stock", None, 1000, None, "low")]


def test_buy_box_lost_only_when_it_leaves_us():
    ours = {"A2SANDBOXDIY01"}
    t = [T0 + dt.timedelta(hours=h) for h in range(6)]
    sellers = [(t[0], "A2SANDBOXDIY01"), (t[1], "A1OTHER00001"), (t[2], "A1OTHER00002"),  # lost once, then passed on
               (t[3], "A2SANDBOXDIY01"), (t[4], AMAZON_SELLER), (t[5], "A2SANDBOXDIY01")]
    got = [(old, new, at) for _, old, new, _, _, at in alerts._buy_box_losses(sellers, ours)]
    assert got == [("A2SANDBOXDIY01", "A1OTHER00001", t[1]), ("A2SANDBOXDIY01", f"{AMAZON_SELLER} (Amazon)", t[4])]
    # A rival's Buy Box moving between other sellers is not ours.
    assert list(alerts._buy_box_losses([(t[0], "A1OTHER00001"), (t[1], "A1OTHER00002")], ours)) == []


def test_thresholds_come_from_settings_by_direction_with_the_old_keys_still_read(db):
    reset(db)
    row = db.execute("SELECT value, description FROM system.settings WHERE key = 'alerts.competitor_thresholds'"
                     ).fetchone()
    # Migration 0120 added the direction-aware keys and kept the old ones; the description says which is which.
    assert {"price_drop_pct", "price_increase_pct", "rank_improve_pct", "rank_worsen_pct",
            "rank_jump_pct"} <= set(row[0])
    assert "price_increase_pct" in row[1] and "rank_improve_pct" in row[1] and "rank_jump_pct" in row[1]
    assert alerts.thresholds(db) == {"price_drop": DROP, "price_increase": RISE, "rank_improve": RANK_UP,
                                     "rank_worsen": RANK_DOWN}
    # A settings row from before 0120 (only the old keys) still works: its rank_jump_pct rates a worsening rank.
    old = {"price_drop_pct": {"low": 4}, "rank_jump_pct": {"low": 30, "medium": 60}}
    db.execute("UPDATE system.settings SET value = %s WHERE key = 'alerts.competitor_thresholds'", (Jsonb(old),))
    levels = alerts.thresholds(db)
    assert levels["price_drop"] == {"low": 4} and levels["rank_worsen"] == {"low": 30, "medium": 60}
    assert levels["price_increase"] == RISE and levels["rank_improve"] == RANK_UP
    db.execute("UPDATE system.settings SET value = %s WHERE key = 'alerts.competitor_thresholds'", (Jsonb(row[0]),))
