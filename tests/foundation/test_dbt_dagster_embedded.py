"""dbt and Dagster run against the real database; the embedded server keeps its data across CLI runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from orchestration import settings
from orchestration.db import connection

BIN = Path(sys.executable).parent
CLI = [str(BIN / "listing-helper")]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LISTING_HELPER_")}
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout, cwd=settings.PROJECT_ROOT)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def test_dbt_build_runs_against_the_real_database(migrated_db):
    # the whole project builds through Dagster below; here the CLI's pass-through to dbt
    _run(CLI + ["dbt", "build", "--select", "stg_system__settings"], _env(LISTING_HELPER_DATABASE_URL=migrated_db))
    with psycopg.connect(migrated_db) as conn:
        staged = conn.execute("SELECT count(*) FROM staging.stg_system__settings").fetchone()[0]
        settings_rows = conn.execute("SELECT count(*) FROM system.settings").fetchone()[0]
    assert staged == settings_rows > 0


def test_dagster_definitions_validate(dbt_manifest, tmp_path):
    result = _run([str(BIN / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
                  _env(LISTING_HELPER_DATABASE_URL="postgresql://unused@127.0.0.1/unused", DAGSTER_HOME=str(tmp_path)))
    assert "All code locations passed validation" in result.stdout + result.stderr


def test_dagster_materializes_the_dbt_models_with_their_checks(dbt_manifest, migrated_db, monkeypatch, tmp_path):
    monkeypatch.setenv("LISTING_HELPER_DATABASE_URL", migrated_db)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    import dagster as dg

    from orchestration.definitions import defs

    result = defs.resolve_job_def("dbt_build").execute_in_process(instance=dg.DagsterInstance.ephemeral(),
                                                                  partition_key="2026-11-24")
    assert result.success
    materialized = {event.asset_key.to_user_string() for event in result.get_asset_materialization_events()}
    # every layer, and the write-backs after the marts (on an empty database: nothing to write, no error)
    assert {"staging/stg_system__settings", "marts/fct_listing_scores", "marts/fct_listing_margins",
            "analytics/listing_scores", "pricing/current_price_margins", "competitors/threat_scores"} <= materialized
    checks = [e for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    assert checks and all(e.event_specific_data.passed for e in checks)


def test_embedded_database_survives_cli_restarts_and_serves_dbt_and_dagster(tmp_path):
    env = _env(LISTING_HELPER_HOME=str(tmp_path / "home"))
    try:
        migrated = _run(CLI + ["db", "migrate"], env)
        assert "Applied" in migrated.stdout and "embedded PostgreSQL" in migrated.stdout
        url = _run(CLI + ["db", "url", "--show-password"], env).stdout.strip()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("INSERT INTO system.settings (key, value, description) VALUES ('test.marker', '\"kept\"', 'survives restarts')")

        assert "stopped" in _run(CLI + ["db", "stop"], env).stdout
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(url, connect_timeout=2)

        info = _run(CLI + ["db", "info"], env).stdout  # starts the server again
        assert "0 pending" in info and "partitioned" in info and "PostgreSQL 16" in info
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT value FROM system.settings WHERE key = 'test.marker'").fetchone()[0] == "kept"

        _run(CLI + ["dbt", "build", "--select", "stg_system__settings"], env)
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT count(*) FROM staging.stg_system__settings WHERE setting_key = 'test.marker'").fetchone()[0] == 1

        dagster = _run([sys.executable, "-c", (
            "import dagster as dg; from orchestration.definitions import defs; "
            "r = defs.resolve_job_def('dbt_build').execute_in_process(instance=dg.DagsterInstance.ephemeral(), "
            "asset_selection=[dg.AssetKey(['staging', 'stg_system__settings'])]); "
            "print('dagster-success' if r.success else 'dagster-failed')")],
            {**env, "LISTING_HELPER_DATABASE_URL": url})
        assert "dagster-success" in dagster.stdout
        assert "password" not in migrated.stdout and connection.url_components(url)["password"] not in migrated.stdout
    finally:
        subprocess.run(CLI + ["db", "stop"], env=env, capture_output=True, cwd=settings.PROJECT_ROOT)
