"""Report tests share one migrated database with the tiny report world (built once: the tests only read it,
and the exports they record are told apart by template and schedule)."""

import mart_world
import psycopg
import pytest

from orchestration.db import migrate


@pytest.fixture(scope="session")
def reporting_db(scratch) -> str:
    url = scratch.create("lh_test_reporting")
    with psycopg.connect(url, autocommit=True) as conn:
        migrate.migrate(conn)
    return url


@pytest.fixture(scope="session")
def world(reporting_db) -> mart_world.World:
    with psycopg.connect(reporting_db, autocommit=True) as conn:
        return mart_world.build(conn)


@pytest.fixture
def conn(reporting_db, world):
    with psycopg.connect(reporting_db, autocommit=True) as connection:
        yield connection


@pytest.fixture
def home(tmp_path, monkeypatch):
    """The platform's home (and so exports/) in a temporary folder."""
    monkeypatch.setenv("LISTING_HELPER_HOME", str(tmp_path / "home"))
    return tmp_path / "home"
