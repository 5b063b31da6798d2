"""apply_template through the rules engine against the sandbox's Listings Items API (dry run by default, live
when the seller allows it), and `listings rollback` with its diff, --yes and a new 'rollback' version."""

from orchestration.automation.engine import run_tick
from orchestration.automation.pricing import ListingsPriceSubmitter
from orchestration.automation.rules import RuleError, save_rule, validate_action
from orchestration.content.cli import preview, rollback
from orchestration.content.listings_api import ListingsContentSubmitter
from orchestration.content.templates import save_template

import pytest

TITLE_TEMPLATE = {"title": "{brand} {model_number} Cordless Drill Driver, 2 Speed - {category}",
                  "search_terms": ["combi drill screwdriver hammer masonry {model_number}"]}


def _rule(conn, template="drill title", dry_run=False):
    return save_rule(conn, name="drills get the title template", trigger_type="threshold",
                     trigger_config={"metric": "listing.status", "operator": "eq", "value": "active"},
                     action_type="apply_template", action_config={"template": template}, dry_run=dry_run)


def _live(conn):
    conn.execute("UPDATE system.settings SET value = 'false' WHERE key = 'pricing.auto_change.dry_run'")


def _submitter(config):
    return ListingsPriceSubmitter.from_config(config)


def _sync(conn, config, asin):
    from orchestration.spapi.client import catalog_client
    from orchestration.spapi.items import fetch_catalog_items
    from orchestration.spapi.upsert_content import upsert_catalog_content

    fetch_catalog_items(conn, catalog_client(config), [asin], marketplace_id=config.marketplace_id)
    counts = upsert_catalog_content(conn)
    assert counts["listings_matched"] == 1 and counts["versions_created"] == 0, counts


def _versions(conn, listing_id):
    return conn.execute("SELECT version_number, change_type, change_source, rollback_of_version, title, content_hash "
                        "FROM catalog.listing_versions WHERE listing_id = %s ORDER BY 1", (listing_id,)).fetchall()


def test_apply_template_is_accepted_by_rule_validation():
    validate_action("apply_template", {"template": "drill title"})
    with pytest.raises(RuleError, match="template must be the name of a content template"):
        validate_action("apply_template", {})


def test_by_default_a_template_is_only_rehearsed_with_a_validation_preview(conn, listing, sandbox, spapi_config):
    listing_id, lst = listing
    before = sandbox.world.content_on(lst.idx)["title"]
    save_template(conn, "drill title", TITLE_TEMPLATE)
    _rule(conn)
    report = run_tick(conn, price_submitter=_submitter(spapi_config))
    assert report.acted == 1
    window, dry, status, outcome = conn.execute(
        "SELECT window_key, dry_run, status, outcome FROM workflow.rule_executions").fetchone()
    assert window.startswith("dry:") and dry and status == "succeeded"
    assert outcome["status"] == "dry run" and outcome["validation_preview"] == "valid"
    assert outcome["proposed"]["title"] == f"{lst.brand} DX-18 Cordless Drill Driver, 2 Speed - Drills"
    # nothing changed: not on Amazon, not in the catalogue, no version
    assert sandbox.world.content_on(lst.idx)["title"] == before
    assert conn.execute("SELECT title FROM catalog.listings WHERE id = %s", (listing_id,)).fetchone()[0] == before
    assert _versions(conn, listing_id) == []


def test_a_live_template_is_patched_and_versioned_once_and_rolls_back(conn, listing, sandbox, spapi_config):
    listing_id, lst = listing
    original = sandbox.world.content_on(lst.idx)
    save_template(conn, "drill title", TITLE_TEMPLATE)
    rule_id = _rule(conn)
    _live(conn)
    run_tick(conn, price_submitter=_submitter(spapi_config))
    new_title = f"{lst.brand} DX-18 Cordless Drill Driver, 2 Speed - Drills"
    assert sandbox.world.content_on(lst.idx)["title"] == new_title
    assert sandbox.world.content_on(lst.idx)["search_terms"] == "combi drill screwdriver hammer masonry DX-18"
    versions = _versions(conn, listing_id)
    assert [v[:5] for v in versions] == [(1, "sync", "listing_helper", None, original["title"]),
                                         (2, "auto", rule_id, None, new_title)]
    outcome = conn.execute("SELECT status, outcome FROM workflow.rule_executions").fetchone()
    assert outcome[0] == "succeeded" and outcome[1]["status"] == "accepted" and outcome[1]["version"] == 2
    assert conn.execute("SELECT title, search_terms FROM catalog.listings WHERE id = %s", (listing_id,)).fetchone() == (
        new_title, ["combi drill screwdriver hammer masonry DX-18"])
    # the same window again: claimed already, nothing pushed, no new version
    assert run_tick(conn, price_submitter=_submitter(spapi_config)).acted == 0
    assert len(_versions(conn, listing_id)) == 2
    # the next catalogue sync reads back what was pushed: no 'sync' version on top of ours
    _sync(conn, spapi_config, lst.asin)
    assert len(_versions(conn, listing_id)) == 2

    # rollback without --yes: the diff, and nothing else
    shown = []
    assert rollback(conn, lst.sku, 1, yes=False, submitter_factory=lambda c: None, out=shown.append) == 0
    text = "\n".join(shown)
    assert f"-{new_title}" in text and f"+{original['title']}" in text and "--yes" in text
    assert sandbox.world.content_on(lst.idx)["title"] == new_title and len(_versions(conn, listing_id)) == 2

    # with --yes: pushed, and a new version that restores version 1 (same content hash)
    assert rollback(conn, lst.sku, 1, yes=True, out=shown.append,
                    submitter_factory=lambda c: ListingsContentSubmitter.from_config(spapi_config)) == 0
    assert sandbox.world.content_on(lst.idx)["title"] == original["title"]
    assert sandbox.world.content_on(lst.idx)["search_terms"] == original["search_terms"]
    _sync(conn, spapi_config, lst.asin)
    versions = _versions(conn, listing_id)
    assert versions[2][:5] == (3, "rollback", "user", 1, original["title"])
    assert versions[2][5] == versions[0][5] and len(versions) == 3
    assert rollback(conn, lst.sku, 1, yes=True, submitter_factory=lambda c: None, out=shown.append) == 0
    assert shown[-1].endswith("nothing to roll back")


def test_a_template_breaking_the_content_rules_is_refused_before_any_call(conn, listing, sandbox, spapi_config):
    listing_id, lst = listing
    before = sandbox.world.content_on(lst.idx)
    save_template(conn, "shouty", {"title": "{brand} drill! Drill, DRILL", "bullet_points": ["Strong."]})
    _rule(conn, template="shouty")
    _live(conn)
    run_tick(conn, price_submitter=_submitter(spapi_config))
    status, outcome = conn.execute("SELECT status, outcome FROM workflow.rule_executions").fetchone()
    assert status == "skipped" and outcome["status"] == "refused"
    assert any("title contains !" in e for e in outcome["errors"])
    assert "bullet 1 has 7 characters; 100-250 expected" in outcome["errors"]
    assert sandbox.world.content_on(lst.idx) == before and _versions(conn, listing_id) == []


def test_templates_preview_shows_the_diff_and_the_checks_and_writes_nothing(conn, listing):
    listing_id, lst = listing
    save_template(conn, "drill title", TITLE_TEMPLATE)
    shown = []
    assert preview(conn, "drill title", lst.sku, out=shown.append) == 0
    assert shown[0] == f"{lst.sku} with template 'drill title': ready (nothing written)"
    assert any(line.startswith("  +" + lst.brand + " DX-18") for line in shown)
    save_template(conn, "needs part", {"title": "{brand} {part_number}"})
    assert preview(conn, "needs part", lst.sku, out=shown.append) == 1
    assert "needs {part_number} (title)" in shown[-1]
    assert _versions(conn, listing_id) == []


def test_templates_list_and_rollback_cli_verbs(conn, migrated_db, listing, monkeypatch, capsys):
    import argparse

    from orchestration.content import cli

    _, lst = listing
    monkeypatch.setenv("LISTING_HELPER_DATABASE_URL", migrated_db)
    save_template(conn, "drill title", TITLE_TEMPLATE, description="Brand, model and category first")
    _rule(conn)
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(["templates", "list"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "drill title: title, search_terms - Brand, model and category first" in out
    assert "used by rules: drills get the title template" in out
    args = parser.parse_args(["listings", "rollback", lst.sku, "--to", "3"])
    assert args.func(args) == 1
    assert f"{lst.sku}: version 3 does not exist; versions: none" in capsys.readouterr().out
