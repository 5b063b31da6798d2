"""Shared benchmark helpers: a scratch database migrated like production, timers, peak RSS, COPY baseline."""

from __future__ import annotations

import os
import resource
import tempfile
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager

import psycopg
from psycopg import sql

SERVER_URL = os.environ.get("LISTING_HELPER_BENCH_SERVER_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


@contextmanager
def scratch_database(prefix: str, keep: bool = False):
    """Create, migrate, yield the URL of, and finally drop a database of its own (kept when `keep`)."""
    from orchestration.db import migrate

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(SERVER_URL, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = with_database(SERVER_URL, name)
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            migrate.migrate(conn)
        yield url
    finally:
        if keep:
            print(f"database kept: {url}", flush=True)
        else:
            with psycopg.connect(SERVER_URL, autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Stopwatch:
    """Accumulates wall time per named stage."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)

    @contextmanager
    def stage(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - start

    def wrap(self, name: str, fn):
        """`fn`, timed under `name` on every call."""
        def timed(*args, **kwargs):
            with self.stage(name):
                return fn(*args, **kwargs)
        return timed


def bare_copy(conn: psycopg.Connection, source: str, columns: list[str], order_by: str | None = None) -> tuple[int, float]:
    """The baseline: COPY `source`'s rows out to a file, then time COPY FROM STDIN of that file into an
    empty table with the same columns, defaults, constraints and indexes (LIKE ... INCLUDING ALL; no
    foreign keys). Returns (rows, seconds of the COPY in, commit included)."""
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    src = sql.Identifier(*source.split("."))
    target = sql.Identifier("bench_copy_target")
    order = sql.SQL(" ORDER BY " + order_by) if order_by else sql.SQL("")
    with tempfile.TemporaryFile() as spool:
        with conn.cursor() as cur:
            with cur.copy(sql.SQL("COPY (SELECT {} FROM {}{}) TO STDOUT (FORMAT csv)").format(cols, src, order)) as copy:
                for block in copy:
                    spool.write(block)
            cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(target))
            cur.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(target, src))
        conn.commit()
        spool.seek(0)
        start = time.perf_counter()
        with conn.cursor() as cur:
            with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(target, cols)) as copy:
                while block := spool.read(1 << 20):
                    copy.write(block)
            rows = cur.rowcount
        conn.commit()
        seconds = time.perf_counter() - start
        with conn.cursor() as cur:
            cur.execute(sql.SQL("DROP TABLE {}").format(target))
        conn.commit()
    return rows, seconds


def table_columns(conn: psycopg.Connection, table: str) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
        "ORDER BY attnum", (table,)).fetchall()]
