"""Attribution on a small sandbox world loaded straight into the tables (bench loaders, no HTTP): events from
versions and prices with their real days, four estimates each, charts, idempotent re-runs (through the Dagster
asset), the CLI's lines, the demo's summary, and the benchmark's scores against the planted truth."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

import psycopg
import pytest

from orchestration import settings

sys.path.insert(0, str(settings.PROJECT_ROOT / "bench"))

import attribution as bench  # noqa: E402  (bench/attribution.py)

from orchestration.attribution import cli as attribution_cli  # noqa: E402
from orchestration.attribution import estimate, measure, summary  # noqa: E402
from orchestration.sandbox import build_world  # noqa: E402

LISTINGS, DAYS, END = 80, 300, dt.date(2026, 10, 31)


@pytest.fixture(scope="module")
def world():
    return build_world(seed=42, listing_count=LISTINGS, days=DAYS, end_date=END)


@pytest.fixture(scope="module")
def loaded(migrated_db, world):
    with psycopg.connect(migrated_db, autocommit=True) as conn:
        ids = bench.load_world(conn, world)
        counts = measure.measure(conn, charts=4, analysis_date=END)
    return migrated_db, ids, counts


def test_changes_are_recorded_on_the_day_they_happened(loaded, world):
    url, ids, counts = loaded
    with psycopg.connect(url) as conn:
        rows = conn.execute("select l.sku, e.change_type, (e.change_timestamp at time zone 'Europe/London')::date, "
                            "e.change_diff from analytics.attribution_events e "
                            "join catalog.listings l on l.id = e.listing_id").fetchall()
    recorded = {(sku, kind, day.isoformat()) for sku, kind, day, _ in rows}
    planted = {(c["sku"], bench.FIELD_TYPES[f], c["date"]) for c in world.ground_truth()["changes"]
               for f in c["fields_changed"] if c["sku"] in ids and c["date"] > world.start_date.isoformat()}
    assert planted and planted <= recorded
    price = next(diff for _, kind, _, diff in rows if kind == "price_change")
    assert set(price["price"]) == {"old", "new"} and price["price"]["old"] != price["price"]["new"]
    title = next(diff for _, kind, _, diff in rows if kind == "title_update")
    assert title["title"]["old"] != title["title"]["new"]
    assert counts["events"] == len(rows) and counts["estimated"] == len(rows)


def test_each_change_has_four_estimates_with_inputs_and_a_verdict(loaded):
    url, _, counts = loaded
    with psycopg.connect(url) as conn:
        per_event = conn.execute("select count(*), count(distinct event_id) from analytics.attribution_estimates"
                                 ).fetchone()
        missing = conn.execute("select count(*) from analytics.attribution_events where verdict is null "
                               "or summary is null or method_version is null").fetchone()[0]
        one = conn.execute("select inputs, effect_pct, effect_ci_low_pct, effect_ci_high_pct, mde_pct, verdict "
                           "from analytics.attribution_estimates where effect_pct is not null limit 1").fetchone()
    assert per_event == (4 * counts["events"], counts["events"])
    assert missing == 0
    inputs, effect, low, high, mde, verdict = one
    assert inputs["method_version"] == estimate.METHOD_VERSION and inputs["control_listing_ids"]
    assert low <= effect <= high and mde > 0 and verdict in ("improved", "worsened", "inconclusive")


def test_charts_are_png_images(loaded):
    url, _, counts = loaded
    with psycopg.connect(url) as conn:
        pngs = [bytes(r[0]) for r in conn.execute("select png from analytics.attribution_charts").fetchall()]
    assert counts["charts"] == 4 and len(pngs) == 4  # the dagster re-run below draws nothing new for these
    assert all(p.startswith(b"\x89PNG\r\n\x1a\n") and len(p) > 5000 for p in pngs)


def test_the_dagster_asset_rerun_changes_nothing_but_the_analysis_time(loaded):
    import dagster as dg

    from orchestration.assets.attribution.definitions import defs
    from orchestration.resources import WarehouseResource

    url, _, counts = loaded
    with psycopg.connect(url) as conn:
        before = conn.execute("select count(*), sum(effect_pct), count(*) filter (where verdict = 'improved') "
                              "from analytics.attribution_estimates").fetchone()
    result = dg.materialize(defs.assets, resources={"warehouse": WarehouseResource(database_url=url)},
                            run_config={"ops": {"analytics__attribution_events": {"config": {"charts": 4}}}})
    assert result.success
    [event] = result.get_asset_materialization_events()
    meta = event.materialization.metadata
    assert meta["events"].value == counts["events"]
    assert all(meta[k].value == 0 for k in ("content_versions", "prices", "images_and_aplus", "tasks"))
    assert meta["charts"].value == 0  # the four drawn before are unchanged and not drawn again
    with psycopg.connect(url) as conn:
        after = conn.execute("select count(*), sum(effect_pct), count(*) filter (where verdict = 'improved') "
                             "from analytics.attribution_estimates").fetchone()
    assert after == before


def test_the_cli_lists_verdicts_in_plain_language(loaded, capsys, monkeypatch):
    url, _, _ = loaded
    monkeypatch.setenv(settings.DATABASE_URL_ENV, url)
    parser = argparse.ArgumentParser()
    attribution_cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["attribution", "--verdict", "improved", "--limit", "5"])
    assert args.func(args) == 0
    out = capsys.readouterr().out.splitlines()
    listed = [line for line in out if ": " in line and "interval" in line]
    assert listed and all("improved" in line for line in listed)
    with psycopg.connect(url) as conn:
        sku = conn.execute("select l.sku from analytics.attribution_events e join catalog.listings l "
                           "on l.id = e.listing_id limit 1").fetchone()[0]
        assert all(line.startswith(f"{sku}: ") for line in summary.verdict_lines(conn, sku=sku))
        lines = summary.demo_summary(conn)
    assert lines[0].startswith("changes recorded:") and "inconclusive" in lines[1]


def test_small_benchmark_against_the_planted_truth(world, loaded):
    """The benchmark's scores at small scale: fewer false claims than the naive 7-day read, honest intervals."""
    url, ids, _ = loaded
    with psycopg.connect(url) as conn:
        changes, _ = measure.load_changes(conn)
        panel = bench.load_panel(conn)
    scores = bench.score(world, panel, estimate.analyse_changes(panel, changes), ids)
    assert scores["matched"] > 80
    sessions = scores["sessions"]
    assert sessions["false_claims"] <= 0.2 and sessions["false_claims"] < sessions["naive_false_claims"]
    for outcome in ("conversion", "units"):
        assert scores[outcome]["effect_n"] > 30
        assert scores[outcome]["coverage"] >= 0.75
