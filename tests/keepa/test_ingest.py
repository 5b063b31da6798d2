"""The real keepa client against the sandbox and a real database: history values, idempotency, faults, budget."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import requests
from keepa.keepa_sync import parse_csv as keepa_parse_csv

from keepa_kit import CAP, FakeClock, budget_for, client_for, reset, rivals, start_sandbox
from orchestration.keepa.client import KeepaRequestError, KeepaServerError, build_client
from orchestration.keepa.ingest import ingest_products
from orchestration.keepa.parsing import keepa_time, parse_product
from orchestration.sandbox.keepa_routes import state
from orchestration.sandbox.world_competitors import keepa_minutes, rival_moment


@pytest.fixture
def clean(db):
    reset(db)
    return db


def _ingest(db, server, asins, clock, **kw):
    client = client_for(server, clock, **kw)
    return client, ingest_products(db, client, asins, run_id="test-run", budget=budget_for(db, clock))


def _fingerprint(db) -> tuple:
    history = db.execute("SELECT count(*), md5(string_agg(h::text, '|' ORDER BY competitor_id, time)) "
                         "FROM competitors.price_history h").fetchone()
    products = db.execute("SELECT count(*), md5(string_agg(concat_ws(',', asin, title, current_price, current_bsr, "
                          "rating, review_count, buy_box_price, buy_box_seller, is_amazon_seller), '|' ORDER BY asin)) "
                          "FROM competitors.products").fetchone()
    return history, products


def test_keepa_time_and_units_by_hand():
    assert keepa_time(0) == dt.datetime(2011, 1, 1, tzinfo=dt.timezone.utc)  # 21564000 min after 1970
    item = {"asin": "B000000001", "csv": [[100, 1999, 200, -1], [100, 1899]] + [None] * 14 + [[100, 43]]
            + [[100, 12]] + [[100, 2099, 299, 200, -1, -1]]}
    p = parse_product(item)
    first, second = p.history
    assert first["amazon_price_pence"] == 1999 and first["new_price_pence"] == 1899
    assert first["rating"] == Decimal("4.3")
    assert first["buy_box_price_pence"] == 2099 and first["buy_box_shipping_pence"] == 299
    assert second["amazon_price_pence"] is None and second["amazon_out_of_stock"] is True
    assert second["buy_box_out_of_stock"] is True and second["time"] == keepa_time(200)


def test_history_lands_with_the_right_values_at_the_right_times(clean):
    db, clock = clean, FakeClock()
    with start_sandbox(clock=clock) as server:
        comp = state(server).competitors
        chosen = rivals(server)[:25]
        _, summary = _ingest(db, server, [r.asin for r in chosen], clock)
        world = server.world
        assert summary["products"] == 25 and summary["batches"] == 3 and summary["quarantined"] == 0
        expected_rows = sum(len(comp.history(r, world.start_date, world.end_date)) for r in chosen)
        assert summary["history_rows"] == expected_rows
        checked = 0
        for r in chosen[::6]:
            days = (world.start_date + dt.timedelta(days=3), world.end_date - dt.timedelta(days=10), world.end_date)
            for day in days:
                v = comp.day_values(r, day.toordinal())
                if v is None:
                    continue
                at = rival_moment(r, day.toordinal())
                row = db.execute(
                    "SELECT h.new_price_pence, h.new_out_of_stock, h.new_fba_price_pence, h.amazon_price_pence, "
                    "h.bsr, h.new_offer_count, h.rating, h.review_count, h.buy_box_price_pence, "
                    "h.buy_box_shipping_pence, h.price FROM competitors.price_history h "
                    "JOIN competitors.products p ON p.id = h.competitor_id WHERE p.asin = %s AND h.time = %s",
                    (r.asin, at)).fetchone()
                assert row is not None, (r.asin, at)
                new = None if v["new"] < 0 else v["new"]
                assert row[0] == new and row[1] is (v["new"] < 0)
                assert row[2] == (None if v["new_fba"] < 0 else v["new_fba"]) and row[3] == v["amazon"]
                assert (row[4], row[5], row[7]) == (v["rank"], v["offers"], v["reviews"])
                assert row[6] == Decimal(v["rating"]) / 10
                assert row[8] == (None if v["bb_price"] < 0 else v["bb_price"])
                assert row[10] == (None if new is None else Decimal(new) / 100)  # GBP column follows pence
                checked += 1
        assert checked >= 9
        # An out-of-stock stretch: NULL price and a TRUE flag, never -1.
        assert db.execute("SELECT count(*) FROM competitors.price_history WHERE new_price_pence < 0").fetchone()[0] == 0
        last = comp.day_values(chosen[0], world.end_date.toordinal())
        cur = db.execute("SELECT current_bsr, review_count, keepa_domain_id, last_synced_at IS NOT NULL "
                         "FROM competitors.products WHERE asin = %s", (chosen[0].asin,)).fetchone()
        assert cur == (last["rank"], last["reviews"], 2, True)
        raw = db.execute("SELECT count(*), min(source), min(operation) FROM raw.api_responses").fetchone()
        assert raw == (3, "keepa", "product")


def test_reingest_changes_nothing(clean):
    db, clock = clean, FakeClock()
    with start_sandbox(clock=clock) as server:
        asins = [r.asin for r in rivals(server)[:12]]
        _ingest(db, server, asins, clock)
        before = _fingerprint(db)
        clock.sleep(600)  # a later run: the budget has refilled
        _, again = _ingest(db, server, asins, clock)
        assert again["history_rows"] == 0 and again["products"] == 12
        assert _fingerprint(db) == before


def test_short_csv_payload_loads_and_product_without_asin_is_quarantined(clean):
    db, clock = clean, FakeClock()
    with start_sandbox({"keepa_short_csv": 34, "keepa_missing_asin": True}, clock=clock) as server:
        asins = [r.asin for r in rivals(server) if r.first_day <= server.world.start_date.toordinal()][:8]
        _, summary = _ingest(db, server, asins, clock, batch_size=4)
        assert summary["batches"] == 2 and summary["quarantined"] == 2 and summary["products"] == 6
        reasons = db.execute("SELECT source, operation, field, reason FROM raw.quarantine").fetchall()
        assert reasons == [("keepa", "product", "asin", "product without a valid asin")] * 2
        # every other product came with 34 series; all loaded with history
        short = db.execute("SELECT count(*) FROM raw.api_responses r, jsonb_array_elements(r.payload->'products') p "
                           "WHERE jsonb_array_length(p->'csv') = 34").fetchone()[0]
        assert short == 4
        stored = db.execute("SELECT p->'csv' FROM raw.api_responses r, jsonb_array_elements(r.payload->'products') p "
                            "WHERE jsonb_array_length(p->'csv') = 34 LIMIT 1").fetchone()[0]
        with pytest.raises(IndexError):  # what the library's own parsing does with it
            keepa_parse_csv(stored, True, True)
        loaded = db.execute("SELECT count(DISTINCT competitor_id) FROM competitors.price_history").fetchone()[0]
        assert loaded == 6


def test_token_exhaustion_waits_and_never_exceeds_the_budget(clean):
    db, clock = clean, FakeClock()
    with start_sandbox({"keepa_tokens_start": 0}, clock=clock) as server:
        asins = [r.asin for r in rivals(server)[:40]]
        start = clock.time()
        client, summary = _ingest(db, server, asins, clock)
        keepa = state(server)
        assert summary["products"] == 40 and summary["tokens_taken"] == 120
        assert clock.sleeps and max(clock.sleeps) <= client.config.max_wait_seconds
        assert keepa.lowest_tokens >= 0  # Keepa's own count never went negative: we never overspent
        minutes = (clock.time() - start) // 60
        assert keepa.consumed_total <= minutes * 60 and keepa.consumed_total == 120
        taken = db.execute("SELECT tokens_taken_total FROM system.keepa_token_budget").fetchone()[0]
        assert taken == 120


def test_a_429_from_keepa_is_waited_out_with_a_cap(clean):
    db, clock = clean, FakeClock()
    with start_sandbox({"throttle": {"keepaProduct": {"first_n": 2}}}, clock=clock) as server:
        client, summary = _ingest(db, server, [r.asin for r in rivals(server)[:5]], clock, max_wait_seconds=30)
        assert summary["products"] == 5 and len(clock.sleeps) == 2 and max(clock.sleeps) <= 30


def test_a_5xx_mid_run_keeps_earlier_batches_and_a_transient_one_is_retried(clean):
    db, clock = clean, FakeClock()
    asins_of = lambda server, n: [r.asin for r in rivals(server)[:n]]  # noqa: E731
    with start_sandbox({"server_errors": {"keepaProduct": {"from_n": 3, "status": 503}}}, clock=clock) as server:
        with pytest.raises(KeepaServerError):
            _ingest(db, server, asins_of(server, 30), clock)
        assert db.execute("SELECT count(*) FROM competitors.products").fetchone()[0] == 20
        assert db.execute("SELECT count(*) FROM raw.api_responses").fetchone()[0] == 2
    reset(db)
    with start_sandbox({"server_errors": {"keepaProduct": {"nth": 2, "status": 500}}}, clock=clock) as server:
        client, summary = _ingest(db, server, asins_of(server, 30), clock)
        assert summary["products"] == 30 and client.calls >= 5  # token + 3 batches + 1 retry


def test_timeouts_are_retried_a_capped_number_of_times(clean):
    db, clock = clean, FakeClock()
    with start_sandbox({"delay_seconds": {"keepaProduct": 0.3}}, clock=clock) as server:
        with pytest.raises(requests.Timeout):
            _ingest(db, server, [rivals(server)[0].asin], clock, timeout=0.05, max_retries=2)
        assert clock.sleeps == [1, 2]  # backoff between the three attempts, then give up
        assert db.execute("SELECT count(*) FROM raw.api_responses").fetchone()[0] == 0


def test_bad_key_is_a_clear_error_and_not_retried(clean):
    clock = FakeClock()
    with start_sandbox(clock=clock) as server:
        client = build_client(server.base_url, "not-the-key", sleep=clock.sleep)
        with pytest.raises(KeepaRequestError, match="400"):
            client.product_payload([rivals(server)[0].asin])
        assert client.calls == 1 and clock.sleeps == []
        assert CAP == state(server).tokens  # nothing charged
        assert keepa_minutes(keepa_time(8_000_000)) == 8_000_000
