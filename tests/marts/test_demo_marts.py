"""The demo ends with scores, landed costs, margins and threat written back, and re-running it changes nothing."""

from __future__ import annotations

import json

import psycopg
from demo_kit import DEMO_DAYS, DEMO_LISTINGS, run_cli

from orchestration import settings

# Operational tables and the derived columns the write-backs own, checksummed before and after a re-run.
CHECKSUMS = {
    "catalog.listing_versions": "select count(*), md5(string_agg(content_hash, ',' order by listing_id, version_number)) from catalog.listing_versions",
    "analytics.performance_metrics": "select count(*), sum(sessions), sum(units_ordered) from analytics.performance_metrics",
    "analytics.listing_scores": "select count(*), md5(string_agg(s::text, '|' order by listing_id, time)) from analytics.listing_scores s",
    "catalog.listings.current_score": "select md5(string_agg(concat_ws(',', id, current_score, score_updated_at), '|' order by id)) from catalog.listings",
    "pricing.current_prices margins": "select md5(string_agg(concat_ws(',', listing_id, landed_cost, landed_cost_updated, gross_margin, net_margin, net_margin_pct), '|' order by listing_id)) from pricing.current_prices",
    "competitors.products.threat_score": "select md5(string_agg(concat_ws(',', id, threat_score), '|' order by id)) from competitors.products",
}


def _checksums(url: str) -> dict:
    with psycopg.connect(url) as conn:
        return {name: conn.execute(sql).fetchone() for name, sql in CHECKSUMS.items()}


def test_demo_ends_with_scores_landed_costs_margins_threat_and_top_fixes(demo):
    assert "time series stored as partitioned" in demo.output
    assert f"days of metrics:     {DEMO_DAYS} days" in demo.output and "all tests passed" in demo.output
    assert "Scores, costs and margins (dbt marts)" in demo.output
    assert "top 10 fixes (points gained x last 28 days' sales):" in demo.output
    with psycopg.connect(demo.url) as conn:
        listings, scored = conn.execute("select count(*), count(current_score) from catalog.listings").fetchone()
        assert scored == listings > 0
        # the time series holds the mart's rows for the demo's days, and current_score is each listing's latest
        assert conn.execute("""
            select count(*) from marts.fct_listing_scores m
            left join analytics.listing_scores s on s.listing_id = m.listing_id and s.time = m.score_date::timestamp at time zone 'UTC'
            where m.score_date <= current_date - 1 and s.total_score is distinct from m.total_score""").fetchone()[0] == 0
        days = conn.execute("select count(distinct time) from analytics.listing_scores").fetchone()[0]
        assert days >= DEMO_DAYS
        # margins: every listing with a price and a complete cost has them written back, equal to the mart
        priced_and_costed, written, wrong = conn.execute("""
            select count(*) filter (where m.margin_is_complete), count(p.net_margin),
                   count(*) filter (where p.net_margin is distinct from round(m.net_margin_gbp, 2)
                                       or p.landed_cost is distinct from round(m.landed_cost_gbp, 2))
            from pricing.current_prices p join marts.fct_listing_margins m using (listing_id)""").fetchone()
        assert priced_and_costed > 0 and written == priced_and_costed and wrong == 0
        # every competitor the mart scores has its threat score on competitors.products
        assert conn.execute("""
            select count(*) from marts.fct_competitor_threat t join competitors.products p on p.id = t.competitor_id
            where p.threat_score is distinct from t.threat_score""").fetchone()[0] == 0
        top = conn.execute("select fix_summary from marts.fct_listing_top_fixes where seller_fix_rank = 1").fetchone()
    assert top is not None and f" 1. {top[0]}" in demo.output


def test_a_second_demo_run_changes_nothing(demo):
    before = _checksums(demo.url)
    again = run_cli(["demo", "--listings", str(DEMO_LISTINGS), "--days", str(DEMO_DAYS)], demo.env)
    assert "0 migration(s) applied" in again
    assert _checksums(demo.url) == before
    assert "failed" not in again.split("reports: built-in exports", 1)[1].splitlines()[0]
    # the marts are rebuilt for the trailing week the ingestion re-pulled, not the whole window
    import datetime as dt
    import re

    def dbt_days(output: str) -> int:
        first, last = re.search(r"days (\S+) to (\S+): all models built", output).groups()
        return (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days + 1

    assert (dbt_days(demo.output), dbt_days(again)) == (DEMO_DAYS, 7)
    # every mart stays readable by the app, the report templates and BI tools after a rebuild (an incremental
    # run revokes the grants its config does not name)
    with psycopg.connect(demo.url) as conn:
        missing = conn.execute("""
            select c.relname, r.rolname from pg_class c join pg_namespace n on n.oid = c.relnamespace
            cross join pg_roles r
            where n.nspname = 'marts' and c.relkind in ('r', 'p', 'v')
              and r.rolname in ('listing_helper_app', 'listing_helper_reports', 'listing_helper_readonly')
              and not has_table_privilege(r.oid, c.oid, 'select')""").fetchall()
    assert missing == []


def _incremental_tables(conn) -> list[str]:
    manifest = json.loads((settings.DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    nodes = [n for n in manifest["nodes"].values()
             if n["resource_type"] == "model" and n["config"]["materialized"] == "incremental"]
    return sorted(f"{n['schema']}.{n['alias']}" for n in nodes)


def _table_digests(conn, tables: list[str]) -> dict:
    return {t: conn.execute(f"select count(*), md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from {t} x").fetchone()
            for t in tables}


def test_full_refresh_gives_the_same_rows_as_incremental_windows(demo):
    # with their descendants, as Dagster runs them: a full refresh drops and re-creates the tables, and the
    # views on them go with them (CASCADE)
    build = ["dbt", "build", "--select", "config.materialized:incremental+"]
    run_cli(build + ["--full-refresh"], demo.env)
    with psycopg.connect(demo.url, autocommit=True) as conn:
        tables = _incremental_tables(conn)
        assert len(tables) >= 3  # scores, daily and weekly performance at least
        full = _table_digests(conn, tables)
        assert all(count > 0 for count, _ in full.values())
        for table in tables:  # the tables stay (is_incremental() holds); their rows go
            conn.execute(f"truncate {table}")
        first_day = conn.execute("select min(report_date) from analytics.performance_metrics").fetchone()[0]
    # three consecutive windows, the inner boundaries inside the data and inside an ISO week
    cut_1, cut_2 = first_day.toordinal() + 4, first_day.toordinal() + 9
    import datetime as dt
    windows = [("1970-01-01", dt.date.fromordinal(cut_1)), (dt.date.fromordinal(cut_1 + 1), dt.date.fromordinal(cut_2)),
               (dt.date.fromordinal(cut_2 + 1), "2999-12-31")]
    for low, high in windows:
        run_cli(build + ["--vars", json.dumps({"min_date": str(low), "max_date": str(high)})], demo.env)
    with psycopg.connect(demo.url) as conn:
        assert _table_digests(conn, tables) == full
