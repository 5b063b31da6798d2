"""Fixtures of the rules engine tests: one migrated database for the whole directory, a tiny world rebuilt
per test (every test starts from the same emptied tables, so they share the database safely)."""

import psycopg
import pytest
import tiny_world

from orchestration.db import migrate


@pytest.fixture(scope="session")
def migrated_db(scratch) -> str:
    """Overrides the root conftest's per-module database: migrating once saves seconds per module."""
    url = scratch.create("lh_test_automation")
    with psycopg.connect(url, autocommit=True) as conn:
        migrate.migrate(conn)
    return url


@pytest.fixture
def conn(migrated_db):
    with psycopg.connect(migrated_db, autocommit=True) as connection:
        tiny_world.build(connection)
        # the shipped defaults, whatever the previous test set
        connection.execute("""UPDATE system.settings s SET value = d.value FROM (VALUES
            ('pricing.auto_change.dry_run', 'true'::jsonb), ('pricing.auto_change.max_step', '0.05'),
            ('pricing.auto_change.cooldown_hours', '24'), ('pricing.auto_change.max_changes_per_day', '2')) AS d(key, value)
            WHERE s.key = d.key""")
        yield connection


@pytest.fixture
def world(conn):
    """The tiny world's listings by SKU (built by `conn`)."""
    return {sku: row for sku, row in
            ((r[0], r[1]) for r in conn.execute("SELECT sku, id::text FROM catalog.listings").fetchall())}
