"""Test fixtures: a real PostgreSQL (configured, or the embedded server), one scratch database per use."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
import pytest

from orchestration import settings
from orchestration.db import connection, migrate

ARTIFACTS = settings.PROJECT_ROOT / "test-artifacts"


@pytest.fixture(scope="session", autouse=True)
def dbt_manifest():
    """Dagster loads the dbt manifest with the definitions: build it once, as the CLI does."""
    from orchestration.pipeline import prepare_dbt_manifest

    return prepare_dbt_manifest()


@pytest.fixture(scope="session")
def server_url():
    """Where scratch databases are created: the configured server, else an embedded one for the tests
    (started here, stopped when the session ends)."""
    url = os.environ.get("LISTING_HELPER_TEST_DATABASE_URL") or settings.configured_database_url()
    if url:
        yield url
        return
    from orchestration.db.embedded import EmbeddedPostgres

    server = EmbeddedPostgres(settings.PROJECT_ROOT / ".listing-helper" / "test-server")
    yield server.ensure_running()
    server.stop()


class ScratchDatabases:
    def __init__(self, server_url: str):
        self.admin_url = connection.with_database(server_url, "postgres")
        self.created: list[str] = []

    def create(self, prefix: str = "lh_test") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return connection.with_database(self.admin_url, name)

    def drop_all(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for name in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()


@pytest.fixture(scope="session")
def scratch(server_url):
    databases = ScratchDatabases(server_url)
    yield databases
    databases.drop_all()


@pytest.fixture
def empty_db(scratch) -> str:
    return scratch.create()


@pytest.fixture(scope="module")
def migrated_db(scratch) -> str:
    """A database with every migration applied (native partitioning: no TimescaleDB here)."""
    url = scratch.create()
    with psycopg.connect(url, autocommit=True) as conn:
        migrate.migrate(conn)
    return url


@pytest.fixture
def db(migrated_db):
    with psycopg.connect(migrated_db, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
