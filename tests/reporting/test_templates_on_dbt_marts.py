"""Every shipped template runs against marts built by dbt itself (not the contract stand-ins of mart_world):
a column renamed in a mart breaks this test, not the seller's Monday export."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest

from orchestration import settings
from orchestration.db import migrate
from orchestration.reporting import templates
from orchestration.reporting.charts import write_charts

# The marts the built-in templates and charts read, with what they are built from.
SELECT = ["+fct_listing_performance_weekly", "+fct_listing_margins", "+fct_listing_competitor_threat",
          "+fct_listing_scores"]


@pytest.fixture(scope="module")
def dbt_marts_db(scratch) -> str:
    """A migrated, empty database with the marts built by `dbt run` (own target folder: others use target/)."""
    url = scratch.create("lh_test_reporting_dbt")
    with psycopg.connect(url, autocommit=True) as conn:
        migrate.migrate(conn)
    env = {**os.environ, "LISTING_HELPER_DATABASE_URL": url}
    with tempfile.TemporaryDirectory(prefix="lh_reporting_dbt_") as folder:
        cmd = [str(Path(sys.executable).with_name("listing-helper")), "dbt", "run", "--select", *SELECT,
               "--target-path", folder, "--log-path", str(Path(folder) / "logs")]
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=settings.PROJECT_ROOT, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return url


def test_every_built_in_template_runs_on_dbt_built_marts_as_the_reports_role(dbt_marts_db, tmp_path):
    with psycopg.connect(dbt_marts_db, autocommit=True) as conn:
        built_in = [t for t in templates.load_templates(conn) if t.is_builtin]
        assert len(built_in) >= 6
        for template in built_in:
            result = templates.run(conn, template)
            assert result.ran_as == templates.REPORTS_ROLE, template.name   # the role reads what dbt built
            assert result.columns, template.name
        run = write_charts(conn, tmp_path)
    # Empty marts: every chart says why it was not drawn instead of failing on the real columns.
    assert run.written == {} and set(run.skipped) == {"score_trend", "margin_waterfall", "competitor_prices",
                                                      "attribution_before_after"}
