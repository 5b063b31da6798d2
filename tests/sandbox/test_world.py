"""The simulated seller: determinism, calendar, seasonality, catalogue realism and planted truth."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import numpy as np
import pytest

from orchestration.sandbox import build_world
from orchestration.sandbox.world_calendar import easter_sunday, uk_bank_holidays
from orchestration.sandbox.world_events import NONE, PRICE, state_on
from orchestration.sandbox.world_fees import referral_fee

END = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def world():
    return build_world(seed=42, listing_count=200, days=450, end_date=END)


def _traffic_arrays(w, day):
    t = w.day(day)
    return {k: getattr(t, k) for k in ("price", "sessions", "page_views", "units", "order_items", "revenue",
                                        "buybox_pct", "fulfillable", "suppressed")}


def test_same_seed_gives_the_same_world_and_another_seed_does_not():
    a = build_world(seed=5, listing_count=60, days=90, end_date=END)
    b = build_world(seed=5, listing_count=60, days=90, end_date=END)
    c = build_world(seed=6, listing_count=60, days=90, end_date=END)
    def key(w):
        return [(x.sku, x.asin, x.title, x.bullets, repr(x.price)) for x in w.listings]

    assert key(a) == key(b)
    day = END - dt.timedelta(days=10)
    for key, arr in _traffic_arrays(a, day).items():
        np.testing.assert_array_equal(arr, _traffic_arrays(b, day)[key], err_msg=key)
    assert json.dumps(a.ground_truth()) == json.dumps(b.ground_truth())
    assert [x.asin for x in a.listings] != [x.asin for x in c.listings]
    assert not np.array_equal(a.day(day).sessions, c.day(day).sessions)


def test_a_day_is_identical_whatever_the_window_or_end_date():
    short = build_world(seed=11, listing_count=80, days=60, end_date=END)
    long = build_world(seed=11, listing_count=80, days=400, end_date=END + dt.timedelta(days=150))
    for day in (END - dt.timedelta(days=40), END):
        for key, arr in _traffic_arrays(short, day).items():
            np.testing.assert_array_equal(arr, _traffic_arrays(long, day)[key], err_msg=f"{key} on {day}")
        for lst in short.listings:
            assert short.content_on(lst.idx, day) == long.content_on(lst.idx, day)
    keep = ("event_id", "sku", "date", "fields_changed", "old_value", "new_value", "true_conversion_effect",
            "true_sessions_effect")
    overlap = [{k: r[k] for k in keep} for r in short.ground_truth()["changes"]]
    in_long = [{k: r[k] for k in keep} for r in long.ground_truth()["changes"]
               if short.start_date.isoformat() <= r["date"] <= END.isoformat()]
    assert overlap and overlap == in_long


def test_advancing_the_clock_leaves_past_days_unchanged():
    w = build_world(seed=3, listing_count=40, days=30, end_date=END)
    before = _traffic_arrays(w, END)
    w.advance_day(200)  # far enough to need more event blocks
    assert w.end_date == END + dt.timedelta(days=200)
    for key, arr in _traffic_arrays(w, END).items():
        np.testing.assert_array_equal(arr, before[key], err_msg=key)


@pytest.mark.parametrize("year, expected", [
    (2020, ["01-01", "04-10", "04-13", "05-08", "05-25", "08-31", "12-25", "12-28"]),
    (2021, ["01-01", "04-02", "04-05", "05-03", "05-31", "08-30", "12-27", "12-28"]),
    (2022, ["01-03", "04-15", "04-18", "05-02", "06-02", "06-03", "08-29", "09-19", "12-26", "12-27"]),
    (2023, ["01-02", "04-07", "04-10", "05-01", "05-08", "05-29", "08-28", "12-25", "12-26"]),
    (2026, ["01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"]),
    (2027, ["01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28"]),
    (2033, ["01-03", "04-15", "04-18", "05-02", "05-30", "08-29", "12-26", "12-27"]),
])
def test_uk_bank_holidays_with_substitute_days(year, expected):
    assert [d.strftime("%m-%d") for d, _ in uk_bank_holidays(year)] == expected


def test_easter_dates():
    assert [easter_sunday(y) for y in (2024, 2025, 2038)] == [dt.date(2024, 3, 31), dt.date(2025, 4, 20),
                                                              dt.date(2038, 4, 25)]


def test_diy_season_and_weekday_pattern_show_in_the_traffic():
    w = build_world(seed=42, listing_count=200, days=365, end_date=dt.date(2026, 12, 31))
    sessions = {d: int(w.day(d).sessions.sum()) for d in w.window()}
    june = np.mean([v for d, v in sessions.items() if d.month == 6])
    january = np.mean([v for d, v in sessions.items() if d.month == 1])
    assert june > 1.5 * january
    peak = np.mean([v for d, v in sessions.items() if 3 <= d.month <= 8])
    off = np.mean([v for d, v in sessions.items() if d.month in (1, 2, 10, 11)])
    assert peak > 1.3 * off
    non_holiday = {d: v for d, v in sessions.items() if not any(d == h for h, _ in uk_bank_holidays(d.year))}
    sunday = np.mean([v for d, v in non_holiday.items() if d.weekday() == 6])
    friday = np.mean([v for d, v in non_holiday.items() if d.weekday() == 4])
    assert sunday > 1.12 * friday
    christmas = sessions[dt.date(2026, 12, 25)]
    assert christmas < 0.8 * np.mean([sessions[dt.date(2026, 12, d)] for d in (14, 15, 16, 17)])


def test_volumes_are_those_of_a_small_diy_niche(world):
    days = world.window()[-120:]
    units = np.array([world.day(d).units for d in days]).mean(axis=0)
    buyable = world.arrays["buyable"]
    assert (units[buyable] < 1).mean() > 0.5  # most listings sell under one a day
    assert 1 <= (units[buyable] >= 3).sum() <= 25  # a handful of good sellers
    assert units.max() < 25
    assert np.all(units[~buyable] == 0)


def test_catalogue_has_the_realistic_mess(world):
    ls = world.listings
    assert len({x.sku for x in ls}) == len(ls) == 200
    assert all(len(x.asin) == 10 and x.asin.startswith("B0") for x in ls)
    parents = [x for x in ls if x.is_parent]
    assert parents and all(np.isnan(x.price) and not x.fulfilment for x in parents)
    assert all(any(c.parent_idx == p.idx for c in ls) for p in parents)
    shared = Counter(x.asin for x in ls)
    twins = [a for a, k in shared.items() if k > 1]
    assert twins and all({x.fulfilment for x in world.by_asin[a]} == {"AFN", "MFN"} for a in twins)
    assert {x.fulfilment for x in ls if x.buyable} == {"AFN", "MFN"}
    assert len({x.category for x in ls}) == 8
    titles = [x.title for x in ls]
    assert any(len(t) > 200 for t in titles)
    assert any(set(t) & set("!?") for t in titles)
    assert any(max(Counter(w.lower().strip(",") for w in t.split()).values()) >= 3 for t in titles)
    assert any('"' in t for t in titles)
    assert any("£" in (x.description or "") or any("£" in b for b in x.bullets) for x in ls)
    assert any(x.description is None for x in ls)
    assert {len(x.bullets) for x in ls} >= {0, 5} and all(len(x.bullets) <= 5 for x in ls)
    assert any(len(b) > 500 for x in ls for b in x.bullets)
    assert any(len(x.search_terms.encode()) > 249 for x in ls)
    assert any(len(x.search_terms.encode()) <= 249 for x in ls)
    assert any(x.images[0]["width"] < 1000 for x in ls) and any(x.images[0]["width"] >= 1000 for x in ls)
    assert min(len(x.images) for x in ls) == 1 and max(len(x.images) for x in ls) <= 9
    assert any(x.has_aplus for x in ls) and not all(x.has_aplus for x in ls)
    assert world.marketplace_id == "A1F83G8C2ARO7P" and world.currency == "GBP"


def test_ground_truth_file_has_effects_and_no_effects(world, tmp_path):
    path = world.write_ground_truth(tmp_path / "truth.json")
    truth = json.loads(path.read_text(encoding="utf-8"))
    changes = truth["changes"]
    content = [c for c in changes if c["change_type"] == "content"]
    prices = [c for c in changes if c["change_type"] == "price"]
    assert prices and content
    assert any(c["true_conversion_effect"] != 0 for c in content)
    assert any(c["true_sessions_effect"] != 0 for c in content)
    assert sum(not c["has_true_effect"] for c in content) > 0.4 * len(content)
    assert {f for c in content for f in c["fields_changed"]} == {"title", "bullets", "description", "search_terms"}
    assert all(c["old_value"] != c["new_value"] for c in changes)
    assert np.mean([min(c["clean_days_before"], c["clean_days_after"]) >= 28 for c in changes]) > 0.7
    listings = {x["sku"]: x for x in truth["listings"]}
    assert all(-3.0 <= listings[c["sku"]]["true_elasticity"] <= -0.5 for c in prices)
    for c in prices:
        e = listings[c["sku"]]["true_elasticity"]
        assert c["true_conversion_effect"] == pytest.approx((c["new_value"] / c["old_value"]) ** e - 1, abs=1e-4)
    jsonl = world.write_ground_truth(tmp_path / "truth.jsonl")
    kinds = Counter(json.loads(line)["record_type"] for line in jsonl.read_text().splitlines())
    assert kinds["change"] == len(changes) and kinds["listing"] == 200 and kinds["world"] == 1


def test_planted_effects_start_on_the_change_date(world):
    ev = world.events
    checked = Counter()
    for c in world.ground_truth()["changes"]:
        idx = world.by_sku[c["sku"]].idx
        day = dt.date.fromisoformat(c["date"]).toordinal()
        before, on = state_on(ev, day - 1), state_on(ev, day)
        conv_ratio = on["conv_mult"][idx] / before["conv_mult"][idx]
        sess_ratio = on["sess_mult"][idx] / before["sess_mult"][idx]
        assert conv_ratio == pytest.approx(1 + (c["true_conversion_effect"] if c["change_type"] == "content" else 0),
                                           rel=1e-5)
        assert sess_ratio == pytest.approx(1 + c["true_sessions_effect"], rel=1e-5)
        if c["change_type"] == "price":
            assert world.price_on(idx, dt.date.fromordinal(day)) == c["new_value"]
            assert world.price_on(idx, dt.date.fromordinal(day - 1)) == c["old_value"]
        checked[c["effect_source"]] += 1
    assert checked["planted"] and checked["none"] and checked["elasticity"]
    # Listings that never change exist, and no listing changes twice within 40 days (block spacing).
    has_events = (ev.ev_type != NONE).any(axis=0)
    assert (~has_events & world.arrays["buyable"]).sum() > 0
    for idx in range(world.listing_count):
        days = sorted(int(d) for t, d in zip(ev.ev_type[:, idx], ev.ev_day[:, idx]) if t != NONE)
        assert all(b - a >= 40 for a, b in zip(days, days[1:]))
    assert (ev.ev_type == PRICE).any()


def test_price_drives_conversion_through_elasticity():
    """Same listings, same noise stream: doubling the price cuts units by about 2**elasticity."""
    w = build_world(seed=9, listing_count=300, days=60, end_date=END)
    buyable = np.flatnonzero(w.arrays["buyable"] & w.arrays["fba"] & (w.arrays["elasticity"] < -2.0))
    days = w.window()[-40:]
    base = sum(w.day(d).units[buyable].sum() for d in days)
    w2 = build_world(seed=9, listing_count=300, days=60, end_date=END)
    w2._edits = {int(i): [(days[0].toordinal(), "price", float(w2.arrays["price"][i] * 2))] for i in buyable}
    dearer = sum(w2.day(d).units[buyable].sum() for d in days)
    assert dearer < 0.35 * base


def test_orders_add_up_to_daily_units(world):
    for day in world.window()[-5:]:
        traffic = world.day(day)
        per_sku = Counter()
        for order in world.orders_on(day):
            per_sku[order["sku"]] += order["quantity"]
            assert order["amazon-order-id"][3] == "-" and order["currency"] == "GBP"
        for lst in world.listings:
            assert per_sku[lst.sku] == traffic.units[lst.idx]
        assert sum(1 for _ in world.orders_on(day)) == int(traffic.order_items.sum())


def test_fees_follow_the_uk_diy_referral_rate(world):
    assert referral_fee(10.0) == 1.33
    assert referral_fee(1.0) == 0.25  # minimum
    fba = next(x for x in world.listings if x.fulfilment == "AFN")
    fbm = next(x for x in world.listings if x.fulfilment == "MFN")
    assert world.fees(fba.idx, price=20.0).fba_fee > 0
    assert world.fees(fbm.idx, price=20.0).fba_fee == 0
    assert world.fees(fba.idx, price=20.0).referral_fee == 2.65


def test_supply_tables_are_consistent(world):
    s = world.supply()
    suppliers = {r["supplier_code"]: r for r in s["suppliers"]}
    assert {r["country"] for r in suppliers.values()} >= {"GB", "CN", "TW"}
    assert all(float(r["import_duty_pct"]) > 0 for r in suppliers.values() if r["country"] != "GB")
    components = {r["component_sku"] for r in s["components"]}
    assert all(r["component_sku"] in components and r["supplier_code"] in suppliers for r in s["component_prices"])
    per_component = Counter()
    for comp in components:
        sups = {r["supplier_code"] for r in s["component_prices"] if r["component_sku"] == comp}
        per_component[len(sups)] += 1
    assert per_component[1] and per_component[2]
    assert {r["min_quantity"] for r in s["component_prices"]} == {1, 500, 2000}
    assert any(r["valid_to"] for r in s["component_prices"])
    bom_skus = {r["listing_sku"] for r in s["bill_of_materials"]}
    assert bom_skus == {x.sku for x in world.listings if x.buyable}
    assert all(r["component_sku"] in components for r in s["bill_of_materials"])


def test_setup_and_one_day_scale_to_ten_thousand_listings():
    w = build_world(seed=1, listing_count=10_000, days=450, end_date=END)
    t = w.day(END)
    assert len(t.sessions) == 10_000 and t.sessions.sum() > 0
    assert len({x.sku for x in w.listings}) == 10_000
