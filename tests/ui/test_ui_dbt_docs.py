"""dbt's documentation for analysts: the dashboards are exposures on the marts they read, and
`listing-helper docs --generate-only` writes the site with the column types of the built marts."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from orchestration import settings

# `listing-helper docs` through the real parser (the verb is registered by orchestration/docs_cli.py).
RUN_DOCS_VERB = """
import argparse, sys
from orchestration import cli, docs_cli
parser = cli.build_parser()
sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
if "docs" not in sub.choices:
    docs_cli.register(sub)
args = parser.parse_args(sys.argv[1:])
sys.exit(args.func(args))
"""
DASHBOARD_MARTS = {
    "listing_health_dashboard": {"dim_listings", "fct_listing_scores", "fct_listing_top_fixes", "fct_listing_keyword_coverage"},
    "margins_and_prices_dashboard": {"dim_listings", "fct_listing_landed_costs", "fct_listing_margins", "fct_listing_price_points"},
    "competitor_watch_dashboard": {"fct_competitor_threat", "fct_listing_competitor_threat"},
    "sales_and_traffic_dashboard": {"fct_listing_performance_daily", "fct_listing_performance_weekly"},
}


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LISTING_HELPER_")}
    return {**env, **extra}


def _run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, cwd=settings.PROJECT_ROOT)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_dbt_parse_sees_the_dashboards_as_exposures_on_the_marts_they_read(dbt_manifest):
    # dbt_manifest is `dbt parse`'s manifest.json (the session fixture runs it as the CLI does)
    manifest = json.loads(dbt_manifest.read_text())
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert set(exposures) == set(DASHBOARD_MARTS)
    for name, marts in DASHBOARD_MARTS.items():
        exposure = exposures[name]
        assert exposure["type"] == "dashboard" and exposure["url"].startswith("http")
        assert exposure["owner"]["name"] and "@" in exposure["owner"]["email"]
        assert all(node.startswith("model.") for node in exposure["depends_on"]["nodes"])
        assert {node.rsplit(".", 1)[1] for node in exposure["depends_on"]["nodes"]} == marts
        # only marts, which the read-only role may read
        assert all(manifest["nodes"][node]["schema"] == "marts" for node in exposure["depends_on"]["nodes"])


@pytest.mark.slow
def test_docs_generate_only_writes_the_site_with_the_built_marts_columns(ui_world, tmp_path):
    # ui_world built a few models only: the margins mart and what it reads
    env = _env(LISTING_HELPER_DATABASE_URL=ui_world.url, LISTING_HELPER_HOME=str(tmp_path / "home"))
    target = tmp_path / "docs"
    out = _run([sys.executable, "-c", RUN_DOCS_VERB, "docs", "--generate-only", "--target-path", str(target)], env)
    assert str(target) in out and "not built" not in out

    assert (target / "index.html").stat().st_size > 10_000
    assert (target / "static_index.html").exists()
    catalog = json.loads((target / "catalog.json").read_text())
    margins = catalog["nodes"]["model.listing_helper.fct_listing_margins"]
    assert margins["metadata"]["schema"] == "marts"
    assert {"net_margin_gbp", "break_even_price_gbp"} <= set(margins["columns"])
    assert margins["columns"]["net_margin_gbp"]["type"] == "numeric"
    # marts not built in this database are documented (manifest) but have no catalog entry
    assert "model.listing_helper.fct_competitor_threat" not in catalog["nodes"]
    manifest = json.loads((target / "manifest.json").read_text())
    assert set(DASHBOARD_MARTS) <= {e["name"] for e in manifest["exposures"].values()}
    assert manifest["nodes"]["model.listing_helper.fct_listing_margins"]["description"]
