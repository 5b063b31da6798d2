"""One small demo run (sandbox seller, ingestion, Keepa, dbt, write-backs) shared by the mart tests."""

import pytest
from demo_kit import DEMO_DAYS, DEMO_LISTINGS, Demo, cli_env, run_cli


@pytest.fixture(scope="module")
def demo(migrated_db, tmp_path_factory) -> Demo:
    env = cli_env(LISTING_HELPER_DATABASE_URL=migrated_db, LISTING_HELPER_HOME=str(tmp_path_factory.mktemp("home")))
    output = run_cli(["demo", "--listings", str(DEMO_LISTINGS), "--days", str(DEMO_DAYS)], env)
    return Demo(url=migrated_db, env=env, output=output)
