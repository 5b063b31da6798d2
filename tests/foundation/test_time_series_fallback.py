"""Without TimescaleDB: rows route to monthly partitions, nothing is lost, retention drops old months."""

from __future__ import annotations

import pytest


@pytest.fixture
def listing_id(db):
    lid = db.execute(
        "INSERT INTO catalog.listings (asin, sku, title) VALUES ('B0SERIES01', %s, 'Wall plugs 100 pack') RETURNING id",
        (f"SERIES-{id(db)}",),
    ).fetchone()[0]
    yield lid
    db.execute("DELETE FROM pricing.price_history WHERE listing_id = %s", (lid,))
    db.execute("DELETE FROM catalog.listings WHERE id = %s", (lid,))


def _where(db, listing_id):
    return db.execute(
        "SELECT tableoid::regclass::text, time::date::text FROM pricing.price_history WHERE listing_id = %s ORDER BY time",
        (listing_id,),
    ).fetchall()


def test_partitions_exist_for_this_month_and_ahead(db):
    names = {row[0] for row in db.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'pricing.price_history'::regclass").fetchall()}
    this_month = db.execute("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYYMM')").fetchone()[0]
    ahead = db.execute("SELECT to_char((now() + interval '3 months') AT TIME ZONE 'UTC', 'YYYYMM')").fetchone()[0]
    assert f"price_history_p{this_month}" in names
    assert f"price_history_p{ahead}" in names
    assert "price_history_default" in names


def test_rows_route_to_their_month_and_old_rows_are_kept_in_default_then_moved(db, listing_id):
    db.execute(
        "INSERT INTO pricing.price_history (time, listing_id, price, source) VALUES "
        "(now(), %(l)s, 12.99, 'sp_api'), ('2025-06-15T12:00Z', %(l)s, 11.49, 'sp_api')",
        {"l": listing_id},
    )
    placed = dict((day, table) for table, day in _where(db, listing_id))
    assert placed["2025-06-15"] == "pricing.price_history_default"
    db.execute("SELECT system.ensure_partitions('pricing.price_history', '2025-06-01', now())")
    placed = dict((day, table) for table, day in _where(db, listing_id))
    assert placed["2025-06-15"] == "pricing.price_history_p202506"
    assert len(placed) == 2  # nothing lost in the move


def test_retention_drops_partitions_older_than_the_setting_and_keeps_recent_ones(db, listing_id):
    db.execute(
        "INSERT INTO pricing.price_history (time, listing_id, price, source) VALUES "
        "(now() - interval '30 months', %(l)s, 9.99, 'sp_api'), (now() - interval '3 months', %(l)s, 10.99, 'sp_api')",
        {"l": listing_id},
    )
    db.execute("SELECT system.ensure_partitions('pricing.price_history', now() - interval '30 months', now())")
    old_partition = db.execute(
        "SELECT 'price_history_p' || to_char((now() - interval '30 months') AT TIME ZONE 'UTC', 'YYYYMM')"
    ).fetchone()[0]
    dropped = [row[1] for row in db.execute("SELECT * FROM system.apply_retention()").fetchall()]
    assert f"pricing.{old_partition}" in dropped
    remaining = [price for (price,) in db.execute(
        "SELECT price FROM pricing.price_history WHERE listing_id = %s", (listing_id,)).fetchall()]
    assert [float(p) for p in remaining] == [10.99]
    assert db.execute("SELECT to_regclass(%s)", (f"pricing.{old_partition}",)).fetchone()[0] is None


def test_ensure_all_partitions_is_idempotent(db):
    db.execute("SELECT system.ensure_all_partitions()")
    assert db.execute("SELECT system.ensure_all_partitions()").fetchone()[0] == 0
