"""One tiny world for the UI tests: a migrated scratch database whose margins mart (and what it reads) was
materialized by Dagster into a Dagster instance kept in the world's LISTING_HELPER_HOME."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

MATERIALIZED_MART = "marts/fct_listing_margins"


@dataclass
class UiWorld:
    url: str
    home: Path
    mart: str
    run_id: str
    materialized: set[str]


@dataclass
class UiDatabase:
    url: str
    home: Path


@pytest.fixture(scope="session")
def ui_database(dbt_manifest, scratch, tmp_path_factory) -> UiDatabase:
    """A migrated scratch database and a LISTING_HELPER_HOME (whose dagster/ holds the Dagster instance)."""
    import psycopg

    from orchestration.db import migrate

    url = scratch.create("lh_ui")
    with psycopg.connect(url, autocommit=True) as conn:
        migrate.migrate(conn)
    return UiDatabase(url=url, home=tmp_path_factory.mktemp("ui_home"))


@pytest.fixture(scope="session")
def ui_world(ui_database) -> UiWorld:
    import dagster as dg

    from orchestration.dagster_home import prepare_dagster_home

    url, home = ui_database.url, ui_database.home
    saved = dict(os.environ)  # the dbt asset exports the connection parts into this process's environment
    try:
        os.environ["LISTING_HELPER_DATABASE_URL"] = url
        # the same instance folder `listing-helper ui` uses for this LISTING_HELPER_HOME
        prepare_dagster_home(home)
        from orchestration.definitions import defs

        job = defs.resolve_job_def("dbt_build")
        graph = defs.get_repository_def().asset_graph
        wanted = dg.AssetSelection.assets(dg.AssetKey.from_user_string(MATERIALIZED_MART)).upstream().resolve(graph)
        keys = [key for key in wanted if key in job.asset_layer.executable_asset_keys]
        with dg.DagsterInstance.get() as instance:
            result = job.execute_in_process(instance=instance, asset_selection=keys)
        assert result.success
        materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert MATERIALIZED_MART in materialized
    return UiWorld(url=url, home=home, mart=MATERIALIZED_MART, run_id=result.run_id, materialized=materialized)
