"""Sales and traffic per day into analytics.performance_metrics: revisions replace, unknown SKUs are quarantined."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import numpy as np

from orchestration.sandbox import reports
from orchestration.sandbox.faults import Faults
from orchestration.spapi import upserts
from sandbox_landing import MERCHANT_LISTINGS, SALES_AND_TRAFFIC, day_spec, fingerprint, land

DAY = date(2026, 6, 27)


def _listed(conn, world) -> None:
    upserts.upsert_listings(conn, land(conn, MERCHANT_LISTINGS, reports.merchant_listings(world, Faults())))


def _report(world, day: date, traffic_for=None, edit=None) -> str:
    text = reports.sales_and_traffic(world, day_spec(day), traffic_for or world.day)
    if edit is None:
        return text
    doc = json.loads(text)
    edit(doc["salesAndTrafficByAsin"])
    return json.dumps(doc)


def _metrics(conn, day: date) -> dict[str, tuple]:
    return {sku: tuple(rest) for sku, *rest in conn.execute(
        "select l.sku, m.sessions, m.page_views, m.units_ordered, m.ordered_product_sales, m.page_views_pct, "
        "m.unit_session_pct, m.buy_box_pct from analytics.performance_metrics m "
        "join catalog.listings l on l.id = m.listing_id where m.report_date = %s", (day,)).fetchall()}


def test_a_days_figures_equal_the_worlds_and_land_in_the_months_partition(conn, world):
    _listed(conn, world)
    text = _report(world, DAY)
    land(conn, SALES_AND_TRAFFIC, text, report_date=DAY)
    counts = upserts.upsert_sales_and_traffic(conn, DAY, run_id="run-day")
    entries = json.loads(text)["salesAndTrafficByAsin"]
    assert counts == {"documents": 1, "rows_in_report": len(entries), "inserted": len(entries), "updated": 0,
                      "unchanged": 0, "removed": 0, "unknown_sku": 0, "quarantined": 0}

    truth = world.day(DAY)
    stored = _metrics(conn, DAY)
    assert len(stored) == len(entries) == 22
    for entry in entries:
        idx = world.by_sku[entry["sku"]].idx
        sessions, page_views, units, sales, pv_pct, conversion, buy_box = stored[entry["sku"]]
        assert (sessions, page_views, units) == (int(truth.sessions[idx]), int(truth.page_views[idx]), int(truth.units[idx]))
        assert sales == Decimal(str(entry["salesByAsin"]["orderedProductSales"]["amount"])).quantize(Decimal("0.01"))
        traffic = entry["trafficByAsin"]  # Amazon's 0-100 -> fractions; Buy Box stays in percentage points
        assert pv_pct == (Decimal(str(traffic["pageViewsPercentage"])) / 100).quantize(Decimal("0.0001"))
        assert conversion == (Decimal(str(traffic["unitSessionPercentage"])) / 100).quantize(Decimal("0.0001"))
        assert buy_box == Decimal(str(traffic["buyBoxPercentage"])).quantize(Decimal("0.01"))
    # Midnight UTC of the day, in June's partition (not the default one).
    assert conn.execute("select distinct time, tableoid::regclass::text from analytics.performance_metrics").fetchall() \
        == [(datetime(2026, 6, 27, tzinfo=timezone.utc), "analytics.performance_metrics_p202606")]
    assert conn.execute("select count(*) from analytics.performance_metrics_default").fetchone()[0] == 0

    before = fingerprint(conn)
    assert upserts.upsert_sales_and_traffic(conn, DAY)["unchanged"] == 22
    assert fingerprint(conn) == before


def test_a_late_revision_overwrites_the_day_and_an_identical_repull_changes_nothing(conn, world):
    _listed(conn, world)
    full = world.day(DAY)
    early = full.thinned(0.6, np.random.default_rng(1))
    land(conn, SALES_AND_TRAFFIC, _report(world, DAY, lambda d: early), report_date=DAY)
    upserts.upsert_sales_and_traffic(conn, DAY)
    first = _metrics(conn, DAY)
    idx = int(np.argmax(full.sessions))
    sku = world.listings[idx].sku
    assert first[sku][0] == int(early.sessions[idx]) < int(full.sessions[idx])

    land(conn, SALES_AND_TRAFFIC, _report(world, DAY), report_date=DAY)  # the re-pull: higher figures
    counts = upserts.upsert_sales_and_traffic(conn, DAY)
    assert counts["updated"] > 0 and counts["updated"] + counts["inserted"] + counts["unchanged"] == 22
    revised = _metrics(conn, DAY)
    assert revised[sku][0] == int(full.sessions[idx])
    assert {s: v[0] for s, v in revised.items()} == {x.sku: int(full.sessions[x.idx]) for x in world.listings
                                                     if x.sku in revised}

    before = fingerprint(conn)
    land(conn, SALES_AND_TRAFFIC, _report(world, DAY), report_date=DAY)  # the same figures once more
    assert upserts.upsert_sales_and_traffic(conn, DAY)["unchanged"] == 22
    assert fingerprint(conn) == before


def test_unknown_skus_are_quarantined_and_zero_traffic_is_stored_as_zeros(conn, world):
    _listed(conn, world)

    def edit(entries):
        stranger = json.loads(json.dumps(entries[0]))
        stranger["sku"] = "NOT-OUR-SKU"
        entries.append(stranger)
        quiet = entries[1]
        quiet["salesByAsin"] = {"unitsOrdered": 0, "orderedProductSales": {"amount": 0.0, "currencyCode": "GBP"},
                                "totalOrderItems": 0}
        quiet["trafficByAsin"] = {k: 0 for k in quiet["trafficByAsin"]}

    text = _report(world, DAY, edit=edit)
    document = land(conn, SALES_AND_TRAFFIC, text, report_date=DAY)
    counts = upserts.upsert_sales_and_traffic(conn, DAY)
    entries = json.loads(text)["salesAndTrafficByAsin"]
    assert (counts["unknown_sku"], counts["inserted"]) == (1, len(entries) - 1)
    assert conn.execute("select source, report_type, source_document_id, line_number, field, value, reason "
                        "from raw.quarantine").fetchall() == [
        ("sp_api", SALES_AND_TRAFFIC, document, len(entries), "sku", "NOT-OUR-SKU",
         "unknown SKU NOT-OUR-SKU in marketplace A1F83G8C2ARO7P: not in catalog.listings")]
    assert _metrics(conn, DAY)[entries[1]["sku"]] == (0, 0, 0, Decimal("0.00"), Decimal("0.0000"), Decimal("0.0000"),
                                                      Decimal("0.00"))
    upserts.upsert_sales_and_traffic(conn, DAY)
    assert conn.execute("select count(*) from raw.quarantine").fetchone()[0] == 1


def test_a_listing_missing_from_the_latest_document_loses_that_days_row(conn, world):
    _listed(conn, world)
    land(conn, SALES_AND_TRAFFIC, _report(world, DAY), report_date=DAY)
    upserts.upsert_sales_and_traffic(conn, DAY)
    dropped = json.loads(_report(world, DAY))["salesAndTrafficByAsin"][0]["sku"]
    land(conn, SALES_AND_TRAFFIC, _report(world, DAY, edit=lambda entries: entries.pop(0)), report_date=DAY)
    assert upserts.upsert_sales_and_traffic(conn, DAY)["removed"] == 1
    assert dropped not in _metrics(conn, DAY)
    other_day = date(2026, 6, 26)  # another day's rows are not touched
    land(conn, SALES_AND_TRAFFIC, _report(world, other_day), report_date=other_day)
    upserts.upsert_sales_and_traffic(conn, other_day)
    assert len(_metrics(conn, DAY)) == 21 and len(_metrics(conn, other_day)) > 0


def test_a_range_upserts_every_day_as_day_by_day_upserts_would(conn, world):
    # 2026-05-29..2026-06-03 crosses a month end: two statements, two partitions.
    days = [date(2026, 5, 29) + timedelta(days=n) for n in range(6)]
    _listed(conn, world)
    for day in days:
        land(conn, SALES_AND_TRAFFIC, _report(world, day), report_date=day)
    one_by_one = {day: upserts.upsert_sales_and_traffic(conn, day) for day in days}
    expected = fingerprint(conn)
    conn.execute("truncate analytics.performance_metrics")

    counts = upserts.upsert_sales_and_traffic(conn, days[0], days[-1])
    assert fingerprint(conn) == expected
    assert counts == {key: sum(c[key] for c in one_by_one.values()) for key in counts}
    assert counts["documents"] == 6 and counts["inserted"] == counts["rows_in_report"] > 0
    assert conn.execute("select array_agg(distinct tableoid::regclass::text order by tableoid::regclass::text) "
                        "from analytics.performance_metrics").fetchone()[0] == [
        "analytics.performance_metrics_p202605", "analytics.performance_metrics_p202606"]

    again = upserts.upsert_sales_and_traffic(conn, days[0], days[-1])
    assert again["unchanged"] == counts["rows_in_report"] and again["inserted"] == again["updated"] == 0
    assert fingerprint(conn) == expected


def test_a_range_takes_each_days_latest_document_and_leaves_days_outside_it_alone(conn, world):
    _listed(conn, world)
    before, first, last = date(2026, 6, 24), date(2026, 6, 25), date(2026, 6, 26)
    for day in (before, first, last):
        land(conn, SALES_AND_TRAFFIC, _report(world, day), report_date=day)
    upserts.upsert_sales_and_traffic(conn, before, last)
    outside = _metrics(conn, before)
    dropped = json.loads(_report(world, first))["salesAndTrafficByAsin"][0]["sku"]
    land(conn, SALES_AND_TRAFFIC, _report(world, first, edit=lambda entries: entries.pop(0)), report_date=first)
    land(conn, SALES_AND_TRAFFIC, _report(world, before, edit=lambda entries: entries.clear()), report_date=before)

    counts = upserts.upsert_sales_and_traffic(conn, first, last)
    assert (counts["documents"], counts["removed"]) == (2, 1)
    assert dropped not in _metrics(conn, first) and dropped in _metrics(conn, last)
    assert _metrics(conn, before) == outside
