"""The demo's history replay: listing versions and price changes land on the days they happened, through the
sync's own upserts, and a second run adds nothing."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from orchestration.attribution import measure
from orchestration.attribution.history_replay import replay_history
from orchestration.sandbox import Faults, build_world, reports

FIELD_TYPES = {"title": "title_update", "bullets": "bullet_update", "description": "description_update",
               "search_terms": "search_terms_update", "price": "price_change"}


@pytest.fixture(scope="module")
def world():
    return build_world(seed=11, listing_count=30, days=200, end_date=dt.date(2026, 10, 31))


@pytest.fixture(scope="module")
def replayed(migrated_db, world):
    with psycopg.connect(migrated_db, autocommit=True) as conn:
        first = replay_history(conn, world)
        second = replay_history(conn, world)
        measure.record_events(conn)
    return migrated_db, first, second


def test_every_planted_change_is_recorded_on_its_day(replayed, world):
    url, first, _ = replayed
    with psycopg.connect(url) as conn:
        recorded = {(sku, kind, day.isoformat()) for sku, kind, day in conn.execute(
            "select l.sku, e.change_type, (e.change_timestamp at time zone 'Europe/London')::date "
            "from analytics.attribution_events e join catalog.listings l on l.id = e.listing_id").fetchall()}
    planted = {(c["sku"], FIELD_TYPES[f], c["date"]) for c in world.ground_truth()["changes"]
               for f in c["fields_changed"] if c["date"] > world.start_date.isoformat()}
    assert len(planted) > 20
    assert planted == recorded
    assert first["syncs"] < 40  # weekly syncs, not one per day


def test_versions_and_prices_are_written_by_the_sync_upserts(replayed):
    url, first, _ = replayed
    with psycopg.connect(url) as conn:
        sources = conn.execute("select distinct change_type, change_source from catalog.listing_versions").fetchall()
        price_sources = conn.execute("select distinct source from pricing.price_history").fetchall()
        synced = conn.execute("select count(*) from raw.report_requests where report_document_id like "
                              "'history-replay-%%' and completed_at::date = data_start_time::date").fetchone()[0]
    assert sources == [("sync", "sp_api_sync")] and price_sources == [("sp_api",)]
    assert synced == first["listing_reports"] > 5  # each report completed on the day it stands for


def test_a_second_replay_adds_nothing(replayed):
    _, first, second = replayed
    assert first["versions"] > 30 and first["price_rows"] > 30
    assert second == {"skipped_catalogue_exists": 1}


def test_the_listings_report_without_a_day_is_unchanged(world):
    """The as-of day is sandbox-only and optional: the report the ingestion fetches stays as it was."""
    today = reports.merchant_listings(world, Faults())
    assert today == reports.merchant_listings(world, Faults(), as_of=None)
    assert today != reports.merchant_listings(world, Faults(), as_of=world.start_date)
