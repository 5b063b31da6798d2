"""Elasticities against the planted truth, suggested prices inside the guard rails, plain words when no number."""

import argparse

import numpy as np
import psycopg
import pytest
from psycopg.types.json import Jsonb

from orchestration.forecasting import cli as forecasting_cli
from orchestration.forecasting.history import load_history
from orchestration.forecasting.summary import demo_summary
from orchestration.price_suggestions import optimal
from orchestration.price_suggestions.elasticity import Estimates
from orchestration.price_suggestions.run import run as run_price_suggestions
from orchestration.sandbox.world_events import PRICE


def _planted(loaded, skus) -> np.ndarray:
    idx = {x.sku: x.idx for x in loaded.world.listings}
    return np.array([loaded.world.arrays["elasticity"][idx[s]] for s in skus])


def _price_changes_in_history(loaded, sku: str) -> int:
    world, ev = loaded.world, loaded.world.events
    idx = world.by_sku[sku].idx
    first, last = world.start_date.toordinal(), loaded.held_out[0].toordinal() - 1
    return int(((ev.ev_type[:, idx] == PRICE) & (ev.ev_day[:, idx] >= first) & (ev.ev_day[:, idx] <= last)).sum())


def test_a_listing_whose_price_never_moved_gets_words_not_a_number(loaded, price_run):
    by_id = {s.listing_id: s for s in price_run.suggestions}
    still = [(lid, sku) for lid, sku in zip(price_run.history.listing_ids, price_run.history.skus)
             if _price_changes_in_history(loaded, sku) == 0]
    assert len(still) >= 5
    for lid, _ in still:
        s = by_id[lid]
        assert s.status in ("not_enough_price_variation", "not_enough_sales") and s.optimal_price is None
    plain = [by_id[lid] for lid, _ in still if by_id[lid].status == "not_enough_price_variation"]
    assert len(plain) >= 5 and all(s.message.startswith("Not enough price variation") for s in plain)
    with psycopg.connect(loaded.url) as conn:
        stored = conn.execute("SELECT count(*) FROM pricing.current_prices WHERE listing_id = ANY(%s::uuid[]) "
                              "AND optimal_price IS NOT NULL", ([lid for lid, _ in still],)).fetchone()[0]
    assert stored == 0


def test_elasticity_intervals_cover_the_planted_values_and_shrinking_helps(loaded, price_run):
    est = price_run.estimates
    ok = est.status == "estimated"
    assert ok.sum() >= 8
    truth = _planted(loaded, price_run.history.skus[ok])
    inside = (est.p10[ok] <= truth) & (truth <= est.p90[ok])
    assert inside.mean() >= 0.6
    assert np.abs(est.elasticity[ok] - truth).mean() < np.abs(est.own[ok] - truth).mean()
    # A noisier own estimate leans more on its category.
    order = np.argsort(est.own_se[ok])
    assert est.own_weight[ok][order[0]] > est.own_weight[ok][order[-1]]


def test_suggested_prices_keep_the_margin_floor_and_stay_under_the_ceiling(loaded, price_run):
    suggested = [s for s in price_run.suggestions if s.status == "suggested"]
    assert len(suggested) >= 3
    with psycopg.connect(loaded.url) as conn:
        for s in suggested:
            assert s.floor_price is None or s.optimal_price >= s.floor_price
            assert s.optimal_price <= s.ceiling_price and 0 <= s.confidence_pct <= 100
            keeps, within = conn.execute(
                "SELECT meets_margin_floor, is_within_seller_limits FROM marts.fct_listing_price_points "
                "WHERE listing_id = %s AND candidate_price_gbp = %s", (s.listing_id, s.optimal_price)).fetchone()
            assert keeps and within
            stored = conn.execute("SELECT optimal_price, price_confidence FROM pricing.current_prices "
                                  "WHERE listing_id = %s", (s.listing_id,)).fetchone()
            assert (float(stored[0]), float(stored[1])) == (s.optimal_price, s.confidence_pct)


def test_max_price_and_amazons_expected_price_cap_the_suggestion(loaded, price_run):
    rows = {lid: i for i, lid in enumerate(price_run.history.listing_ids)}
    picks = [s for s in price_run.suggestions if s.status == "suggested"][:2]
    with psycopg.connect(loaded.url) as conn:
        capped, featured = picks[0], picks[1]
        conn.execute("UPDATE pricing.current_prices SET max_price = round(price * 1.04, 2) WHERE listing_id = %s",
                     (capped.listing_id,))
        sku = conn.execute("SELECT sku FROM catalog.listings WHERE id = %s", (featured.listing_id,)).fetchone()[0]
        answer = {"status": {"statusCode": 200}, "request": {"sku": sku}, "body": {
            "featuredOfferExpectedPriceResults": [{"featuredOfferExpectedPrice": {
                "listingPrice": {"amount": round(featured.current_price * 0.97, 2), "currencyCode": "GBP"}}}]}}
        conn.execute("INSERT INTO raw.api_responses (source, operation, request_key, http_status, payload) "
                     "VALUES ('sp_api', 'getFeaturedOfferExpectedPriceBatch', %s, 200, %s)", (sku, Jsonb(answer)))
        rails = optimal.load_guardrails(conn)
        conn.rollback()
    est, rng = price_run.estimates, np.random.default_rng(1)
    first = optimal.suggest(capped.listing_id, est, rows[capped.listing_id], 1.0, rails, 3.0, rng)
    assert first.ceiling_source == "max_price" and first.ceiling_price == round(capped.current_price * 1.04, 2)
    assert first.status == "no_price_within_guard_rails" or first.optimal_price <= first.ceiling_price
    second = optimal.suggest(featured.listing_id, est, rows[featured.listing_id], 1.0, rails, 3.0, rng)
    assert second.ceiling_source == "featured_offer_expected_price"
    assert second.ceiling_price == round(featured.current_price * 0.97, 2)
    assert second.status == "no_price_within_guard_rails" or second.optimal_price <= second.ceiling_price


def _one_listing(elasticity: float, sd: float, status: str = "estimated") -> Estimates:
    def arr(v):
        return np.array([v])
    return Estimates(np.array([status], dtype=object), arr(200), arr(300), arr(2), arr(elasticity), arr(sd),
                     arr(-1.5), arr(0.5), arr(elasticity), arr(elasticity - 1.2816 * sd), arr(elasticity + 1.2816 * sd))


def _rails(current=10.0, floor=8.0, landed_and_fees=6.0) -> optimal.Guardrails:
    prices = np.round(current * (1 + np.arange(-20, 21) / 100), 2)
    margins = prices / 1.2 - 0.1326 * prices - landed_and_fees
    return optimal.Guardrails({"x": current}, {"x": floor}, {}, {}, {}, {"x": (prices, margins, prices >= floor)}, True)


def test_elastic_demand_gets_a_lower_price_than_inelastic_demand():
    rng = np.random.default_rng(3)
    elastic = optimal.suggest("x", _one_listing(-6.0, 0.05), 0, 2.0, _rails(), 3.0, rng)
    inelastic = optimal.suggest("x", _one_listing(-0.5, 0.05), 0, 2.0, _rails(), 3.0, rng)
    assert elastic.status == inelastic.status == "suggested"
    assert elastic.optimal_price < inelastic.optimal_price == 12.0  # inelastic: up to the ceiling (the +20 % grid)
    assert elastic.optimal_price >= 8.0  # never under the margin floor
    assert inelastic.confidence_pct > 90 and inelastic.profit_at_optimal > inelastic.profit_now
    vague = optimal.suggest("x", _one_listing(-2.6, 2.0), 0, 2.0, _rails(), 3.0, rng)
    assert vague.confidence_pct < inelastic.confidence_pct
    silent = optimal.suggest("x", _one_listing(np.nan, np.nan, "not_enough_price_variation"), 0, 2.0, _rails(), 3.0,
                             rng)
    assert silent.optimal_price is None and "Not enough price variation" in silent.message


def test_floor_above_ceiling_is_said_plainly():
    rails = _rails(floor=11.5)
    rails.max_price["x"] = 11.0
    s = optimal.suggest("x", _one_listing(-1.0, 0.1), 0, 2.0, rails, 3.0, np.random.default_rng(0))
    assert s.status == "no_price_within_guard_rails" and s.optimal_price is None
    assert "above the ceiling" in s.message and "your max price" in s.message


def test_without_price_history_the_average_selling_price_is_the_price(loaded):
    with psycopg.connect(loaded.url) as conn:
        conn.execute("DELETE FROM pricing.price_history")
        history = load_history(conn, days=400)
        conn.rollback()
    idx = {x.sku: x.idx for x in loaded.world.listings}
    world_prices = np.stack([loaded.world.day(d).price[[idx[s] for s in history.skus]] for d in history.days], axis=1)
    sold = history.units > 0
    assert sold.sum() > 1000 and not history.price_from_history.any()
    assert np.allclose(history.price[sold], world_prices[sold], atol=0.005)


def test_rerunning_the_day_replaces_its_suggestions(loaded, price_run):
    query = ("SELECT listing_id, status, optimal_price, confidence_pct, elasticity FROM pricing.price_suggestions "
             "WHERE suggested_on = %s ORDER BY listing_id")
    with psycopg.connect(loaded.url, autocommit=True) as conn:
        before = conn.execute(query, (price_run.suggested_on,)).fetchall()
        run_price_suggestions(conn)
        assert conn.execute(query, (price_run.suggested_on,)).fetchall() == before
    assert len(before) == len(price_run.history.listing_ids)
    assert price_run.suggested_on == loaded.held_out[0]


def test_cli_verbs_and_demo_summary(loaded, price_run, forecast_run, monkeypatch, capsys):
    monkeypatch.setenv("LISTING_HELPER_DATABASE_URL", loaded.url)
    parser = argparse.ArgumentParser()
    forecasting_cli.register(parser.add_subparsers(dest="command", required=True))
    sku = next(str(price_run.history.skus[i]) for i, s in enumerate(price_run.suggestions) if s.status == "suggested")
    args = parser.parse_args(["prices", "suggest", "--sku", sku])
    assert args.func(args) == 0
    assert f"{sku}: " in capsys.readouterr().out
    args = parser.parse_args(["forecast", "--sku", sku])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "expected units per week" in out and sku in out
    with pytest.raises(ValueError, match="NO-SUCH-SKU"):
        args = parser.parse_args(["prices", "suggest", "--sku", "NO-SUCH-SKU"])
        args.func(args)
    with psycopg.connect(loaded.url) as conn:
        lines = demo_summary(conn)
    text = "\n".join(lines)
    assert "demand forecasts:" in text and "reorders:" in text and "price suggestions:" in text
    assert f"{sum(s.status == 'suggested' for s in price_run.suggestions)} priced" in text


def test_the_dagster_assets_materialize_and_report_counts(loaded, price_run):
    import dagster as dg

    from orchestration.assets.forecasting.assets import demand_forecasts, price_suggestions
    from orchestration.resources import WarehouseResource

    result = dg.materialize([demand_forecasts, price_suggestions],
                            resources={"warehouse": WarehouseResource(database_url=loaded.url)})
    assert result.success
    by_key = {m.asset_key.to_user_string(): m.metadata for m in result.get_asset_materialization_events()
              for m in [m.event_specific_data.materialization]}
    assert by_key["inventory/forecasts"]["rows_written"].value == len(price_run.history.listing_ids) * 90
    assert by_key["pricing/price_suggestions"]["rows_written"].value == len(price_run.history.listing_ids)
    assert by_key["pricing/price_suggestions"]["status_suggested"].value == sum(
        s.status == "suggested" for s in price_run.suggestions)


def test_rival_prices_are_read_from_the_dbt_model_when_it_is_built(loaded, price_run):
    from orchestration.price_suggestions.run import rival_prices

    history = price_run.history
    lid, day = history.listing_ids[0], history.days[-3]
    with psycopg.connect(loaded.url) as conn:
        assert rival_prices(conn, history) is None  # not built: the model runs without the rival term
        conn.execute("CREATE SCHEMA IF NOT EXISTS intermediate")
        conn.execute("CREATE TABLE intermediate.int_listing_rival_prices (listing_id uuid, score_date date, "
                     "rival_count bigint, rival_median_price_gbp numeric)")
        conn.execute("INSERT INTO intermediate.int_listing_rival_prices VALUES (%s, %s, 3, 12.34)", (lid, day))
        matrix = rival_prices(conn, history)
        conn.rollback()
    assert matrix[0, -3] == 12.34 and np.isnan(matrix).sum() == matrix.size - 1


def test_the_log_log_fit_separates_own_price_from_rival_price():
    from orchestration.price_suggestions.elasticity import _own_estimate, price_episodes

    rng = np.random.default_rng(5)
    days = 240
    price = np.where(np.arange(days) < 60, 10.0, np.where(np.arange(days) < 120, 11.5,
                                                           np.where(np.arange(days) < 180, 9.0, 10.5)))
    rival = 10.0 * np.exp(rng.normal(0, 0.08, days))
    units = rng.poisson(20 * (price / 10) ** -2.0 * (rival / 10) ** 0.8)
    usable = np.ones(days, dtype=bool)
    episode = price_episodes(price, usable, 3.0)
    assert episode.max() + 1 == 3  # three changes, each with 14+ days either side
    e, se = _own_estimate(units.astype(float), price, episode, np.full(days, 0.9), rival, np.zeros(days))
    assert abs(e + 2.0) < 3 * se and se < 0.3
    flat = price_episodes(np.full(days, 10.0), usable, 3.0)
    assert flat.max() == -1  # no change: nothing to compare
