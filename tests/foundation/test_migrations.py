"""The migration runner: ordered, one transaction per file, idempotent, immutable once applied."""

from __future__ import annotations

import shutil

import psycopg
import pytest

from orchestration import settings
from orchestration.db import migrate


def test_migrating_an_empty_database_twice_applies_everything_once(empty_db):
    with psycopg.connect(empty_db, autocommit=True) as conn:
        first = migrate.migrate(conn)
        second = migrate.migrate(conn)
        ledger = conn.execute("SELECT filename, storage_mode FROM system.schema_migrations ORDER BY 1").fetchall()
    assert first == [m.filename for m in migrate.discover()]
    assert second == []
    assert [name for name, _ in ledger] == first
    assert {mode for _, mode in ledger} == {"partitioned"}  # no TimescaleDB on this server


def test_a_changed_applied_migration_is_refused_by_name(empty_db, tmp_path):
    sql_dir = tmp_path / "sql"
    shutil.copytree(settings.SQL_DIR, sql_dir)
    with psycopg.connect(empty_db, autocommit=True) as conn:
        migrate.migrate(conn, sql_dir)
        target = sql_dir / "0001_foundation.sql"
        target.write_text(target.read_text() + "\n-- edited after release\n")
        with pytest.raises(migrate.MigrationError, match="0001_foundation.sql.*immutable"):
            migrate.migrate(conn, sql_dir)
        assert migrate.state(conn, sql_dir).changed == ["0001_foundation.sql"]


def test_a_failing_migration_rolls_back_whole_and_is_not_recorded(empty_db, tmp_path):
    sql_dir = tmp_path / "sql"
    sql_dir.mkdir()
    (sql_dir / "0001_ok.sql").write_text("CREATE SCHEMA demo; CREATE TABLE demo.a (id int);")
    (sql_dir / "0002_broken.sql").write_text("CREATE TABLE demo.b (id int); SELECT no_such_function();")
    with psycopg.connect(empty_db, autocommit=True) as conn:
        with pytest.raises(migrate.MigrationError, match="0002_broken.sql failed and was rolled back"):
            migrate.migrate(conn, sql_dir, requested_mode="off")
        assert conn.execute("SELECT to_regclass('demo.a') IS NOT NULL, to_regclass('demo.b') IS NULL").fetchone() == (True, True)
        assert migrate.state(conn, sql_dir).pending == ["0002_broken.sql"]


def test_timescaledb_on_fails_clearly_when_the_extension_is_missing(empty_db):
    with psycopg.connect(empty_db, autocommit=True) as conn:
        with pytest.raises(migrate.MigrationError, match="timescaledb extension is not available"):
            migrate.migrate(conn, requested_mode="on")
        assert migrate.state(conn).applied == []


def test_the_storage_mode_of_a_migrated_database_cannot_be_switched(migrated_db):
    with psycopg.connect(migrated_db, autocommit=True) as conn:
        with pytest.raises(migrate.MigrationError, match="migrated with partitioned storage"):
            migrate.migrate(conn, requested_mode="on")


def test_timescale_mode_keeps_the_partitioning_marker_a_comment():
    migration = next(m for m in migrate.discover() if "PARTITION BY RANGE (time) */" in m.path.read_text())
    timescale_sql = migration.render("timescaledb")
    partitioned_sql = migration.render("partitioned")
    assert "/*partitioned: PARTITION BY RANGE (time) */" in timescale_sql
    assert "/*partitioned" not in partitioned_sql and ") PARTITION BY RANGE (time);" in partitioned_sql


def test_timescale_statements_stagger_compression_and_retention_jobs():
    foundation = (settings.SQL_DIR / "0001_foundation.sql").read_text()
    # Both policies start at different offsets, per table: run together they can deadlock.
    assert "add_compression_policy(p_table, compress_after => compress_after, if_not_exists => TRUE,\n" \
           "                                           initial_start => base + INTERVAL '1 hour' + slot" in foundation
    assert "add_retention_policy(p_table, drop_after => retain_for, if_not_exists => TRUE,\n" \
           "                                         initial_start => base + INTERVAL '3 hours' + slot" in foundation
    assert "timescaledb.compress_segmentby" in foundation


def test_every_time_series_is_registered_and_partitioned(db):
    series = dict(db.execute("SELECT table_name, storage FROM system.time_series").fetchall())
    for table in ("pricing.price_history", "competitors.price_history", "analytics.listing_scores",
                  "analytics.performance_metrics", "system.audit_log"):
        assert series.get(table) == "partitioned", f"{table} is not a registered partitioned series"
        kind = db.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", (table,)).fetchone()[0]
        assert kind == "p"
