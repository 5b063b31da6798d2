"""Demand forecasts and reorder suggestions on a small sandbox seller, scored against its held-out days."""

import datetime as dt

import numpy as np
import psycopg
from forecast_kit import HOLD_OUT

from forecasts import forecast_scores, held_out_units, seasonal_naive
from orchestration.forecasting import uk_calendar
from orchestration.forecasting.forecast import MODEL_VERSION
from orchestration.forecasting.reorder import suggest_reorders
from orchestration.forecasting.runs import run_forecasts
from orchestration.forecasting.seasonality import ALL


def test_uk_bank_holidays_follow_the_substitute_day_rules():
    assert uk_calendar.bank_holidays(2027) >= {dt.date(2027, 3, 26), dt.date(2027, 3, 29), dt.date(2027, 5, 3),
                                                dt.date(2027, 5, 31), dt.date(2027, 8, 30)}
    # Christmas 2027 is a Saturday: the holidays move to Monday 27 and Tuesday 28.
    assert {dt.date(2027, 12, 27), dt.date(2027, 12, 28)} <= uk_calendar.bank_holidays(2027)
    assert dt.date(2027, 12, 25) not in uk_calendar.bank_holidays(2027)
    # New Year's Day 2028 is a Saturday: substitute Monday 3 January.
    assert dt.date(2028, 1, 3) in uk_calendar.bank_holidays(2028)


def test_the_28_day_forecast_beats_seasonal_naive_on_held_out_days(loaded, forecast_run):
    fc = forecast_run.forecast
    actual = held_out_units(loaded.world, fc.history, loaded.held_out)
    model = forecast_scores(actual, fc.mean[:, :HOLD_OUT])
    naive = forecast_scores(actual, seasonal_naive(fc.history, HOLD_OUT, 7))
    assert model[0] < naive[0], (model, naive)  # daily error
    assert model[1] < 0.8 * naive[1], (model, naive)  # error of the 28-day total
    p10, p90 = fc.quantiles(0.1)[:, :HOLD_OUT], fc.quantiles(0.9)[:, :HOLD_OUT]
    assert ((p10 <= actual) & (actual <= p90)).mean() >= 0.75


def test_pooled_pattern_has_the_diy_week_and_season(forecast_run):
    season = forecast_run.forecast.season
    week = [dt.date(2026, 6, 1) + dt.timedelta(days=k) for k in range(7)]  # Monday .. Sunday, no holiday
    factor = season.index(ALL, week)
    assert factor[6] > factor[4] and factor[0] > factor[4]  # Sundays and Mondays sell more than Fridays
    june, november = season.index(ALL, [dt.date(2026, 6, 10)]), season.index(ALL, [dt.date(2026, 11, 18)])
    assert june[0] > 1.3 * november[0]  # the spring/summer DIY peak


def test_forecasts_are_stored_per_origin_and_a_rerun_changes_nothing(loaded, forecast_run):
    fc = forecast_run.forecast
    assert fc.origin == loaded.held_out[0] - dt.timedelta(days=1)
    with psycopg.connect(loaded.url, autocommit=True) as conn:
        query = ("SELECT count(*), count(DISTINCT listing_id), min(target_date), max(target_date), "
                 "sum(units_mean), bool_and(units_p10 <= units_p50 AND units_p50 <= units_p90) "
                 "FROM inventory.forecasts WHERE forecast_date = %s AND model_version = %s")
        first = conn.execute(query, (fc.origin, MODEL_VERSION)).fetchone()
        assert first[0] == len(fc.history.listing_ids) * 90 and first[1] == len(fc.history.listing_ids)
        assert (first[2], first[3]) == (fc.origin + dt.timedelta(days=1), fc.origin + dt.timedelta(days=90))
        assert first[5]
        reorders = conn.execute("SELECT count(*), sum(suggested_quantity) FROM inventory.reorder_suggestions").fetchone()
        run_forecasts(conn)
        assert conn.execute(query, (fc.origin, MODEL_VERSION)).fetchone() == first
        assert conn.execute("SELECT count(*), sum(suggested_quantity) FROM inventory.reorder_suggestions"
                            ).fetchone() == reorders


def test_reorder_now_when_the_stock_will_not_last_the_lead_time(loaded, forecast_run):
    fc = forecast_run.forecast
    by_rate = np.argsort(-fc.mean[:, :28].mean(axis=1))
    with psycopg.connect(loaded.url) as conn:  # changes rolled back at the end
        stocked = {r[0] for r in conn.execute("SELECT listing_id::text FROM inventory.stock").fetchall()}
        fast, slow = [fc.history.listing_ids[i] for i in by_rate if fc.history.listing_ids[i] in stocked][:2]
        conn.execute("UPDATE inventory.stock SET fulfillable_qty = 3, inbound_working_qty = 0, inbound_shipped_qty = 0, "
                     "inbound_receiving_qty = 0, reorder_point = NULL, reorder_quantity = NULL, safety_stock = 5 "
                     "WHERE listing_id = %s", (fast,))
        conn.execute("UPDATE inventory.stock SET fulfillable_qty = 100000, reorder_point = NULL WHERE listing_id = %s",
                     (slow,))
        reorders = {r.listing_id: r for r in suggest_reorders(conn, fc)}
        conn.rollback()
    short, plenty = reorders[fast], reorders[slow]
    assert short.reorder_now and short.reorder_point_source == "forecast"
    assert short.reorder_point == int(np.ceil(short.lead_time_demand_p90)) + 5
    # Enough for the lead time plus the cover days, less what is left.
    assert short.suggested_quantity >= short.lead_time_demand + 5 - 3
    assert short.stockout_date is not None and short.stockout_date_early <= short.stockout_date
    assert short.order_by_date == short.stockout_date_early - dt.timedelta(days=short.lead_time_days)
    assert "Reorder" in short.message
    assert not plenty.reorder_now and plenty.suggested_quantity is None and plenty.stockout_date is None


def test_the_sellers_own_reorder_point_wins(loaded, forecast_run):
    fc = forecast_run.forecast
    with psycopg.connect(loaded.url) as conn:
        lid = conn.execute("SELECT listing_id::text FROM inventory.stock ORDER BY listing_id LIMIT 1").fetchone()[0]
        conn.execute("UPDATE inventory.stock SET reorder_point = 1000000, reorder_quantity = 77 WHERE listing_id = %s",
                     (lid,))
        reorder = {r.listing_id: r for r in suggest_reorders(conn, fc)}[lid]
        conn.rollback()
    expected = fc.mean[fc.history.rows_for([lid])[0], :28].sum() > 0
    assert reorder.reorder_point == 1000000 and reorder.reorder_point_source == "seller"
    assert reorder.reorder_now == expected
    if expected:
        assert reorder.suggested_quantity >= 77


def test_days_of_cover_written_back_to_stock(loaded, forecast_run):
    fc = forecast_run.forecast
    with psycopg.connect(loaded.url) as conn:
        rows = conn.execute("SELECT listing_id::text, fulfillable_qty, days_of_cover FROM inventory.stock").fetchall()
    rate = dict(zip(fc.history.listing_ids, fc.mean[:, :28].mean(axis=1)))
    checked = 0
    for lid, fulfillable, cover in rows:
        if rate.get(lid, 0) > 0:
            expected = fulfillable / rate[lid]
            assert cover is not None and abs(float(cover) - expected) <= 0.06 + 0.002 * expected
            checked += 1
    assert checked >= 10
