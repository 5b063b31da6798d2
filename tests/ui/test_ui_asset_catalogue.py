"""What an analyst sees in the Dagster UI, checked without a browser: every asset is described, grouped by
domain and owned; checks, schedules and the rule sensors are there; the UIs bind to 127.0.0.1 by default."""

from __future__ import annotations

import argparse

import dagster as dg
import pytest

# Dagster's own group for assets nobody placed: an analyst cannot tell what it is about.
UNPLACED_GROUP = "default"
OWNER_FORMS = ("team:",)


@pytest.fixture(scope="module")
def repository(dbt_manifest):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LISTING_HELPER_DATABASE_URL", "postgresql://unused@127.0.0.1/unused")
        from orchestration.definitions import defs

        yield defs.get_repository_def()


@pytest.fixture(scope="module")
def specs(repository) -> list[dg.AssetSpec]:
    from orchestration.definitions import defs

    return list(defs.resolve_all_asset_specs())


def _problems(spec: dg.AssetSpec) -> list[str]:
    problems = []
    if not (spec.description or "").strip():
        problems.append("no description")
    if not spec.group_name or spec.group_name == UNPLACED_GROUP:
        problems.append("no group")
    if not spec.owners:
        problems.append("no owner")
    elif not all(owner.startswith(OWNER_FORMS) or "@" in owner for owner in spec.owners):
        problems.append(f"owner not a team or an email: {spec.owners}")
    return problems


def test_every_asset_has_a_description_a_domain_group_and_an_owner(specs):
    assert len(specs) > 50  # the whole graph, not a stub: SP-API, Keepa, dbt, write-backs, domains after the marts
    missing = {spec.key.to_user_string(): problems for spec in specs if (problems := _problems(spec))}
    assert not missing, f"assets an analyst cannot place in the UI: {missing}"


def test_the_graph_runs_from_amazon_and_keepa_to_the_marts(repository):
    graph = repository.asset_graph
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    for key in ("raw/spapi_sales_and_traffic", "competitors/price_history", "marts/fct_listing_scores",
                "marts/fct_listing_margins", "marts/fct_listing_competitor_threat"):
        assert key in keys

    def upstream(key: str) -> set[str]:
        seen, todo = set(), [dg.AssetKey.from_user_string(key)]
        while todo:
            for parent in graph.get(todo.pop()).parent_keys:
                if parent.to_user_string() not in seen:
                    seen.add(parent.to_user_string())
                    todo.append(parent)
        return seen

    # one lineage from the API loads to the mart: the dbt sources share the raw tables' asset keys
    assert "competitors/price_history" in upstream("marts/fct_listing_competitor_threat")
    assert {"catalog/listings", "raw/spapi_merchant_listings"} <= upstream("marts/fct_listing_scores")
    assert "analytics/performance_metrics" in upstream("marts/fct_listing_performance_daily")


def test_dbt_tests_and_great_expectations_show_as_asset_checks(repository):
    checks = repository.asset_graph.asset_check_keys
    on = {}
    for check in checks:
        on.setdefault(check.asset_key.to_user_string(), set()).add(check.name)
    # dbt's data tests on a mart (its primary key's unique and not_null among them)
    assert {name.split("_")[0] for name in on.get("marts/fct_listing_scores", set())} >= {"unique", "not"}
    assert "great_expectations_suite" in on.get("raw/spapi_sales_and_traffic", set())


def test_schedules_and_rule_sensors_are_defined(repository):
    schedules = {s.name for s in repository.schedule_defs}
    sensors = {s.name for s in repository.sensor_defs}
    assert {"dbt_build_schedule", "trailing_week_schedule", "competitor_tracking_schedule"} <= schedules
    assert any(name.startswith("rules_") for name in sensors), sensors


def _parser() -> argparse.ArgumentParser:
    from orchestration import cli, docs_cli

    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    if "docs" not in sub.choices:  # until the lead wires the verb into cli.py
        docs_cli.register(sub)
    return parser


@pytest.mark.parametrize("argv", [["ui"], ["sandbox", "serve"], ["docs"]])
def test_servers_bind_to_loopback_unless_told_otherwise(argv):
    parser = _parser()
    assert parser.parse_args(argv).host == "127.0.0.1"
    assert parser.parse_args(argv + ["--host", "0.0.0.0"]).host == "0.0.0.0"  # only an explicit flag opens it
