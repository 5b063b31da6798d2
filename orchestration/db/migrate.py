"""Applies the ordered SQL migrations in sql/timescale/ and keeps a ledger of what was applied."""

from __future__ import annotations

import hashlib
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from orchestration import settings

log = logging.getLogger(__name__)

# Serialises concurrent migrators (CLI, Dagster, tests) on one database.
_LOCK_KEY = 7_214_010_001
_MARKER = re.compile(r"/\*partitioned:(.*?)\*/", re.DOTALL)
_FILE_NAME = re.compile(r"^\d{4}_[a-z0-9_]+\.sql$")

LEDGER_DDL = """
CREATE SCHEMA IF NOT EXISTS system;
CREATE TABLE IF NOT EXISTS system.schema_migrations (
    filename     TEXT PRIMARY KEY,
    checksum     TEXT NOT NULL,
    storage_mode TEXT NOT NULL CHECK (storage_mode IN ('timescaledb', 'partitioned')),
    applied_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    duration_ms  INTEGER NOT NULL
);
COMMENT ON TABLE system.schema_migrations IS 'Ledger of applied migrations (sql/timescale): file name, sha256, storage mode.';
"""


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    filename: str
    path: Path
    checksum: str

    @classmethod
    def from_path(cls, path: Path) -> "Migration":
        return cls(path.name, path, hashlib.sha256(path.read_bytes()).hexdigest())

    def render(self, storage_mode: str) -> str:
        """The SQL to run: the partitioning marker is uncommented only without TimescaleDB."""
        text = self.path.read_text(encoding="utf-8")
        if storage_mode == "partitioned":
            return _MARKER.sub(lambda m: m.group(1).strip(), text)
        return text


@dataclass(frozen=True)
class MigrationState:
    applied: list[str]
    pending: list[str]
    changed: list[str]  # applied, but the file's checksum differs now
    storage_mode: str | None


def discover(sql_dir: Path = settings.SQL_DIR) -> list[Migration]:
    migrations = []
    for path in sorted(sql_dir.glob("*.sql")):
        if not _FILE_NAME.match(path.name):
            raise MigrationError(f"{path}: migration files are named NNNN_lower_case_words.sql")
        migrations.append(Migration.from_path(path))
    return migrations


def _ledger(conn: psycopg.Connection) -> dict[str, tuple[str, str]]:
    exists = conn.execute("SELECT to_regclass('system.schema_migrations')").fetchone()[0]
    if exists is None:
        return {}
    rows = conn.execute("SELECT filename, checksum, storage_mode FROM system.schema_migrations").fetchall()
    return {name: (checksum, mode) for name, checksum, mode in rows}


def state(conn: psycopg.Connection, sql_dir: Path = settings.SQL_DIR) -> MigrationState:
    ledger = _ledger(conn)
    files = discover(sql_dir)
    modes = {mode for _, mode in ledger.values()}
    return MigrationState(
        applied=[m.filename for m in files if m.filename in ledger],
        pending=[m.filename for m in files if m.filename not in ledger],
        changed=[m.filename for m in files if m.filename in ledger and ledger[m.filename][0] != m.checksum],
        storage_mode=modes.pop() if len(modes) == 1 else None,
    )


def timescaledb_available(conn: psycopg.Connection) -> bool:
    return conn.execute("SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')").fetchone()[0]


def timescaledb_active(conn: psycopg.Connection) -> str | None:
    row = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'").fetchone()
    return row[0] if row else None


def _choose_storage_mode(conn: psycopg.Connection, requested: str, recorded: str | None) -> str:
    """TimescaleDB when present (or forced), native partitioning otherwise; never switch an existing database."""
    if recorded is not None:
        wanted = {"on": "timescaledb", "off": "partitioned"}.get(requested)
        if wanted and wanted != recorded:
            raise MigrationError(
                f"this database was migrated with {recorded} storage; {settings.TIMESCALEDB_ENV}={requested} "
                "cannot change that in place (use a new database, or unset the variable)"
            )
        return recorded
    if requested == "off":
        return "partitioned"
    if timescaledb_active(conn):
        return "timescaledb"
    if requested == "on" and not timescaledb_available(conn):
        raise MigrationError(
            f"{settings.TIMESCALEDB_ENV}=on but the timescaledb extension is not available on this server; "
            "install TimescaleDB 2.x or use LISTING_HELPER_TIMESCALEDB=auto"
        )
    if timescaledb_available(conn):
        try:
            with conn.transaction():
                conn.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
            return "timescaledb"
        except psycopg.Error as exc:
            if requested == "on":
                raise MigrationError(f"{settings.TIMESCALEDB_ENV}=on but CREATE EXTENSION timescaledb failed: {exc}") from None
            log.warning("timescaledb is available but could not be enabled (%s); using native partitioning", exc)
    return "partitioned"


def migrate(conn: psycopg.Connection, sql_dir: Path = settings.SQL_DIR, requested_mode: str | None = None) -> list[str]:
    """Apply pending migrations, each in one transaction; return the names applied (empty when up to date)."""
    if not conn.autocommit:
        raise MigrationError("migrate() needs an autocommit connection: each file runs in its own transaction")
    requested = requested_mode or settings.timescaledb_mode()
    conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
    try:
        with conn.transaction():
            conn.execute(LEDGER_DDL)
        current = state(conn, sql_dir)
        if current.changed:
            raise MigrationError(
                "migration file(s) changed after being applied: " + ", ".join(current.changed)
                + ". Applied migrations are immutable; put the change in a new numbered file."
            )
        mode = _choose_storage_mode(conn, requested, current.storage_mode)
        log.info("storage mode for time series: %s", mode)
        applied = []
        for migration in discover(sql_dir):
            if migration.filename in current.applied:
                continue
            started = time.monotonic()
            try:
                with conn.transaction():
                    conn.execute(migration.render(mode))
                    conn.execute(
                        "INSERT INTO system.schema_migrations (filename, checksum, storage_mode, duration_ms) "
                        "VALUES (%s, %s, %s, %s)",
                        (migration.filename, migration.checksum, mode, int((time.monotonic() - started) * 1000)),
                    )
            except psycopg.Error as exc:
                raise MigrationError(f"{migration.filename} failed and was rolled back: {exc}") from None
            applied.append(migration.filename)
            log.info("applied %s", migration.filename)
        return applied
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
