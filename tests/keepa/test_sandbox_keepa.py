"""The sandbox's Keepa side: deterministic rival histories, Keepa's envelope, token accounting and faults."""

from __future__ import annotations

import datetime as dt

import requests

from keepa_kit import CAP, FakeClock, rivals, small_world, start_sandbox
from orchestration.keepa.transport import keepa_session
from orchestration.sandbox import build_world
from orchestration.sandbox.world_competitors import Competitors, competitor_events

ENVELOPE = {"tokensLeft", "refillIn", "refillRate", "tokensConsumed", "timestamp", "processingTimeInMs",
            "tokenFlowReduction"}


def test_a_days_values_do_not_depend_on_the_window():
    short, wide = small_world(), build_world(seed=7, listing_count=30, days=400, end_date=dt.date(2026, 8, 31))
    a, b = Competitors(7, short.listings, short.market), Competitors(7, wide.listings, wide.market)
    assert [r.asin for r in a.rivals] == [r.asin for r in b.rivals]
    day = dt.date(2026, 6, 1).toordinal()
    assert [a.day_values(r, day) for r in a.rivals] == [b.day_values(r, day) for r in b.rivals]
    # (A hijack of our Buy Box on the window's first day shows in the short window: compare from the day after.)
    in_short = [e for e in competitor_events(short) if e["date"] > short.start_date]
    in_wide = [e for e in competitor_events(wide) if short.start_date < e["date"] <= short.end_date]
    assert [(e["asin"], e["event"], e["date"]) for e in in_short] == [(e["asin"], e["event"], e["date"])
                                                                     for e in in_wide]
    assert {r.asin for r in a.rivals[:3]} <= set(short.market.competitor_asins)  # one market, two views


def test_envelope_costs_and_token_exhaustion():
    clock = FakeClock()
    with start_sandbox(clock=clock) as server:
        http = keepa_session(server.base_url)  # the same redirect the client uses
        key = server.credentials.keepa_key
        asins = ",".join(r.asin for r in rivals(server)[:4])
        body = http.get("https://api.keepa.com/product/", params={"key": key, "domain": 2, "asin": asins,
                                                                  "buybox": 1, "offers": 20}).json()
        assert ENVELOPE <= set(body) and body["tokensConsumed"] == 4 * 9 and body["tokensLeft"] == CAP - 36
        assert all(len(p["csv"]) == 36 for p in body["products"]) and "offers" in body["products"][0]
        assert body["products"][0]["buyBoxSellerIdHistory"]
        while body.get("tokensLeft", 0) > 0:  # spend down: Keepa lets the last call go negative
            body = http.get("https://api.keepa.com/product/", params={"key": key, "domain": 2,
                                                                      "asin": asins, "buybox": 1}).json()
        refused = http.get("https://api.keepa.com/product/", params={"key": key, "domain": 2, "asin": asins})
        assert refused.status_code == 429 and ENVELOPE <= set(refused.json())
        clock.sleep(120)  # two refills of 60
        assert http.get("https://api.keepa.com/token/", params={"key": key}).json()["tokensLeft"] == \
            body["tokensLeft"] + 120
        assert http.get("https://api.keepa.com/token/", params={"key": "wrong"}).status_code == 400


def test_bestsellers_finder_and_seller():
    with start_sandbox() as server:
        http, key = requests.Session(), server.credentials.keepa_key
        node = rivals(server)[0].node
        best = http.get(f"{server.base_url}/bestsellers", params={"key": key, "domain": 2, "category": node}).json()
        asins = best["bestSellersList"]["asinList"]
        assert rivals(server)[0].asin in asins or rivals(server)[0].first_day > server.world.end_date.toordinal()
        found = http.get(f"{server.base_url}/query", params={"key": key, "domain": 2, "selection":
                                                              '{"categories_include": [%d]}' % node}).json()
        assert set(found["asinList"]) == set(asins)
        seller = rivals(server)[0].sellers[0]
        sellers = http.get(f"{server.base_url}/seller", params={"key": key, "domain": 2, "seller": seller}).json()
        assert sellers["sellers"][seller]["asinList"] == [rivals(server)[0].asin]


def test_switchable_5xx_speaks_keepa():
    with start_sandbox({"server_errors": {"keepaProduct": {"nth": 1, "status": 502}}}) as server:
        params = {"key": server.credentials.keepa_key, "domain": 2, "asin": rivals(server)[0].asin}
        first = requests.get(f"{server.base_url}/product", params=params)
        second = requests.get(f"{server.base_url}/product", params=params)
        assert first.status_code == 502 and "tokensLeft" in first.json() and second.status_code == 200
