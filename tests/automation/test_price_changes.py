"""Guarded price changes end to end: decided from the marts, recorded, pushed through the Listings Items API
of the sandbox marketplace (validation preview first), and held back by cooldowns."""

import datetime as dt
from decimal import Decimal

import pytest
import tiny_world as tw

from orchestration.automation.engine import run_tick
from orchestration.automation.pricing import ListingsPriceSubmitter, decide_prices, record_decisions
from orchestration.automation.rules import save_rule
from orchestration.sandbox import SandboxServer, build_world
from orchestration.spapi.client import SpApiConfig


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(build_world(seed=7, listing_count=12, days=20, end_date=dt.date(2026, 6, 30))) as server:
        yield server


def _submitter(server) -> ListingsPriceSubmitter:
    c = server.credentials
    return ListingsPriceSubmitter.from_config(SpApiConfig(
        lwa_app_id=c.lwa_app_id, lwa_client_secret=c.lwa_client_secret, refresh_token=c.refresh_token,
        seller_id=c.seller_id, endpoint=server.base_url, lwa_token_url=server.lwa_token_url))


def _beat_rule(conn):
    conn.execute("INSERT INTO pricing.price_rules (name, applies_to, rule_type, config) "
                 "VALUES ('beat', 'all', 'competitor_beat', '{\"beat_by_pct\": 1}')")


def test_a_live_change_is_previewed_then_patched_and_recorded_with_its_rule(conn, sandbox):
    lst = next(x for x in sandbox.world.listings if x.buyable and not x.is_parent)
    price = Decimal(str(sandbox.world.current_price(lst.idx))).quantize(Decimal("0.01"))
    rival = (price * Decimal("0.90")).quantize(Decimal("0.01"))
    world = tw.build(conn, [tw.TinyListing(lst.sku, str(price), floor=str((price * Decimal("0.8")).quantize(
        Decimal("0.01"))), rival_price=str(rival), max_price=str(price * 2))])
    listing_id = world[lst.sku].id
    conn.execute("UPDATE system.settings SET value = 'false' WHERE key = 'pricing.auto_change.dry_run'")
    _beat_rule(conn)
    save_rule(conn, name="undercut", trigger_type="competitive",
              trigger_config={"event": "competitor_undercut", "threshold_pct": 3},
              action_type="update_price", action_config={"change_type": "price_rules"})
    conn.execute("UPDATE workflow.automation_rules SET created_at = now() - interval '1 day'")

    report = run_tick(conn, price_submitter=_submitter(sandbox))

    expected = (price * Decimal("0.95")).quantize(Decimal("0.01"), rounding="ROUND_CEILING")  # one 5 % step
    assert report.acted == 1
    assert Decimal(str(sandbox.world.current_price(lst.idx))) == expected
    row = conn.execute("SELECT old_price, new_price, status, submission_id IS NOT NULL, dry_run, automation_rule_id "
                       "IS NOT NULL, price_rule_id IS NOT NULL FROM pricing.price_changes").fetchone()
    assert row == (price, expected, "accepted", True, False, True, True)
    assert conn.execute("SELECT price FROM pricing.current_prices WHERE listing_id = %s", (listing_id,)
                        ).fetchone()[0] == expected
    assert conn.execute("SELECT price, source FROM pricing.price_history WHERE listing_id = %s", (listing_id,)
                        ).fetchall() == [(expected, "sp_api")]
    outcome = conn.execute("SELECT status, outcome->>'submission' FROM workflow.rule_executions").fetchone()
    assert outcome == ("succeeded", "accepted")
    assert {e for (e,) in conn.execute("SELECT entity_type FROM system.audit_log WHERE source = 'automation'")} == {
        "price", "listing"}

    # the next window: still undercut, but the 24 h cooldown of pricing.auto_change holds the listing
    again = run_tick(conn, as_of=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1, hours=-1),
                     price_submitter=_submitter(sandbox))
    assert Decimal(str(sandbox.world.current_price(lst.idx))) == expected
    held = conn.execute("SELECT status, reason FROM pricing.price_changes ORDER BY created_at DESC LIMIT 1").fetchone()
    assert again.acted == 1 and held[0] == "rejected" and "held back: cooldown" in held[1]


def test_a_patch_the_marketplace_refuses_is_recorded_as_failed_and_the_price_kept(conn, sandbox):
    world = tw.build(conn, [tw.TinyListing("NOT-ON-AMAZON", "20.00", floor="10.00", rival_price="17.00")])
    conn.execute("UPDATE system.settings SET value = 'false' WHERE key = 'pricing.auto_change.dry_run'")
    _beat_rule(conn)
    decisions = decide_prices(conn, [world["NOT-ON-AMAZON"].id], dry_run=False)
    ids = record_decisions(conn, decisions, dry_run=False)
    from orchestration.automation.pricing import submit_price_changes

    assert submit_price_changes(conn, list(ids.values()), _submitter(sandbox)) == {ids[world["NOT-ON-AMAZON"].id]:
                                                                                   "failed"}
    error, = conn.execute("SELECT error_message FROM pricing.price_changes").fetchone()
    assert error.startswith("SellingApi")
    assert conn.execute("SELECT price FROM pricing.current_prices").fetchone()[0] == Decimal("20.00")


def test_rivals_that_are_our_own_listings_never_set_our_price(conn, world):
    own_asin = conn.execute("SELECT asin FROM catalog.listings WHERE sku = 'GOOD-1'").fetchone()[0]
    conn.execute("INSERT INTO marts.fct_listing_competitor_threat (listing_id, rival_asin, rival_price_gbp, "
                 "rival_is_out_of_stock, undercut_pct) VALUES (%s, %s, 5.00, false, 50)",
                 (world["LOW-SCORE-1"], own_asin))
    _beat_rule(conn)
    decisions = decide_prices(conn, [world["LOW-SCORE-1"], world["UNDERCUT-1"]], as_of=tw.AS_OF)
    assert [d.listing_id for d in decisions] == [world["UNDERCUT-1"]]


def test_the_daily_cap_from_settings_holds_back_a_third_change(conn, world):
    conn.execute("UPDATE system.settings SET value = '0' WHERE key = 'pricing.auto_change.cooldown_hours'")
    _beat_rule(conn)
    statuses = []
    for hour in range(3):
        at = tw.AS_OF + dt.timedelta(hours=hour)
        decisions = decide_prices(conn, [world["UNDERCUT-1"]], as_of=at)
        record_decisions(conn, decisions, dry_run=True, at=at)
        statuses.append(decisions[0].status)
    assert statuses == ["proposed", "proposed", "rejected"]
