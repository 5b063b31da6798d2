"""Shared by the fault suite: a tiny world, a platform (database + sandbox + environment) and table fingerprints."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import dagster as dg
import psycopg

from orchestration import pipeline
from orchestration.db import migrate
from orchestration.sandbox import SandboxServer, build_world
from orchestration.spapi.supply_files import download_supply_files

WORLD_SEED, LISTINGS, DAYS = 21, 14, 10

# What the ingestion writes; settings, audit and workflow tables are someone else's (and carry run times).
SCHEMAS = ("raw", "catalog", "inventory", "pricing", "analytics")
# The ledger of requests and responses records *how* the data was fetched (attempt times, report ids,
# retries), not the data: it legitimately differs between a clean and a faulty run.
LEDGER_TABLES = {"raw.api_responses", "raw.report_requests", "raw.report_documents"}
# Set from the wall clock or from the report that delivered a row, not from the marketplace's data.
FETCH_COLUMNS = {"report_document_id", "_loaded_at", "last_synced_at", "fetched_at", "requested_at"}
# Snapshots stamped with the moment they were taken (Amazon's inventory and offers are "as of now"), not a
# date of the marketplace's: a second run a few seconds later stamps later times on the same figures.
SNAPSHOT_TIME_COLUMNS = {"inventory.stock": {"as_of"}, "inventory.stock_history": {"time"},
                         "pricing.price_history": {"time"}}
# A series of counts, one per snapshot taken (stock.sql keys it by the report's time): a restart that
# takes the inventory snapshot again adds a second, identical count. Compared as the distinct counts.
REPEATED_SNAPSHOT_TABLES = {"inventory.stock_history"}
GENERATED_DEFAULTS = ("gen_random_uuid()", "now()", "nextval(", "CURRENT_TIMESTAMP", "clock_timestamp()")


def world():
    return build_world(seed=WORLD_SEED, listing_count=LISTINGS, days=DAYS)


@contextlib.contextmanager
def environment(values: dict[str, str]):
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def migrated(scratch) -> str:
    url = scratch.create()
    with psycopg.connect(url, autocommit=True) as conn:
        migrate.migrate(conn)
    return url


def platform_env(url: str, home: Path, server) -> dict[str, str]:
    return {"LISTING_HELPER_DATABASE_URL": url, "LISTING_HELPER_HOME": str(home), **pipeline.sandbox_environment(server)}


def ingest(server, instance: dg.DagsterInstance | None = None, log_file: Path | None = None) -> None:
    """The supply files, then the snapshot and daily ingestion over the whole world (environment already set)."""
    instance = instance or dg.DagsterInstance.ephemeral()
    download_supply_files(server.base_url, pipeline.supply_folder())
    pipeline.run_job("spapi_snapshot_ingestion", instance, log_file=log_file)
    pipeline.run_job("spapi_daily_ingestion", instance,
                     pipeline.range_tags(server.world.start_date, server.world.end_date), log_file=log_file)


def clean_run(scratch, home: Path) -> str:
    url = migrated(scratch)
    with SandboxServer(world()) as server, environment(platform_env(url, home, server)):
        ingest(server)
    return url


def _columns(conn, table: str) -> list[tuple[str, str, str | None]]:
    return conn.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), pg_get_expr(d.adbin, d.adrelid) "
        "FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        (table,)).fetchall()


def _kept(columns, table: str) -> list[tuple[str, str]]:
    skipped = FETCH_COLUMNS | SNAPSHOT_TIME_COLUMNS.get(table, set())
    return [(name, kind) for name, kind, default in columns
            if name not in skipped and not any(g in (default or "") for g in GENERATED_DEFAULTS)]


def _projection(conn, table: str) -> str:
    """Every column but the generated ones; a foreign key to a generated id becomes the referenced row's content
    (one level deep: a random uuid is never compared, what it points at is)."""
    references = dict(conn.execute(
        "SELECT a.attname, c.confrelid::regclass::text FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND cardinality(c.conkey) = 1", (table,)).fetchall())
    parts = []
    for name, default_kind in _kept(_columns(conn, table), table):
        parts.append(f'"{name}"')
    for name, target in references.items():
        target_columns = _columns(conn, target)
        generated_key = any(n == "id" and any(g in (d or "") for g in GENERATED_DEFAULTS) for n, _, d in target_columns)
        if not generated_key:
            continue
        if f'"{name}"' in parts:
            parts.remove(f'"{name}"')
        inner = ", ".join(f'r."{n}"' for n, k in _kept(target_columns, target) if k != "uuid")
        parts.append(f'(SELECT md5(ROW({inner})::text) FROM {target} r WHERE r.id = t."{name}") AS "{name}"')
    return ", ".join(parts)


def tables(conn) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1",
        (list(SCHEMAS),)).fetchall() if r[0] not in LEDGER_TABLES]


def fingerprints(url: str) -> dict[str, tuple[int, str]]:
    """Per table: row count and an md5 over every row (generated columns out, generated keys resolved)."""
    out = {}
    with psycopg.connect(url) as conn:
        for table in tables(conn):
            projection = _projection(conn, table)
            if table in REPEATED_SNAPSHOT_TABLES:
                projection = "DISTINCT " + projection
            out[table] = conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) "
                f"FROM (SELECT {projection} FROM {table} t) r").fetchone()
    return out


def differences(a: dict, b: dict) -> dict:
    return {t: (a.get(t), b.get(t)) for t in sorted(set(a) | set(b)) if a.get(t) != b.get(t)}
