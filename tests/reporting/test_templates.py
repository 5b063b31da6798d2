"""The built-in templates against the tiny world: the rows each parameter selects, read-only, the reports role."""

import datetime as dt

import pytest
from mart_world import TODAY

from orchestration.reporting import templates
from orchestration.reporting.parameters import ParameterError

BUILT_INS = {"weekly_listing_performance", "margin_report", "competitor_moves", "competitor_threats",
             "attribution_outcomes", "task_backlog"}


def run(conn, name, **given):
    return templates.run(conn, templates.find_template(conn, name), given, today=TODAY)


def rows_as_dicts(result):
    return [dict(zip(result.columns, row)) for row in result.rows]


def test_the_migration_ships_the_built_in_templates(conn):
    found = {t.name: t for t in templates.load_templates(conn)}
    assert BUILT_INS <= set(found)
    assert all(found[name].is_builtin for name in BUILT_INS)


def test_templates_run_as_the_read_only_reports_role(conn):
    result = run(conn, "margin_report")
    assert result.ran_as == templates.REPORTS_ROLE


def test_weekly_performance_keeps_the_weeks_overlapping_the_window(conn):
    # 14 days back from Friday 20 Nov reaches Friday 6 Nov: the weeks of 2, 9 and 16 Nov overlap.
    result = rows_as_dicts(run(conn, "weekly_listing_performance", start_date="today-14d"))
    assert {r["week_start_date"] for r in result} == {dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 11, 16)}
    assert len(result) == 9 and result[0]["conversion_pct"] == 10


def test_weekly_performance_can_leave_out_partial_weeks(conn):
    result = rows_as_dicts(run(conn, "weekly_listing_performance", start_date="today-14d", full_weeks_only="yes"))
    assert {r["week_start_date"] for r in result} == {dt.date(2026, 11, 2), dt.date(2026, 11, 9)}


def test_margin_report_lists_lowest_margin_first_and_filters_below_floor(conn):
    everything = rows_as_dicts(run(conn, "margin_report"))
    assert [r["sku"] for r in everything] == ["TAPE-5M", "SAW-BLADE-10", "DRILL-18V"]   # unknown margin first
    assert [r["sku"] for r in rows_as_dicts(run(conn, "margin_report", below_floor_only=True))] == ["SAW-BLADE-10"]
    under_10 = rows_as_dicts(run(conn, "margin_report", min_net_margin_pct="10"))
    assert [r["sku"] for r in under_10] == ["SAW-BLADE-10"]


def test_competitor_moves_filter_by_day_and_severity(conn):
    week = rows_as_dicts(run(conn, "competitor_moves"))
    assert [(r["alert_type"], r["severity"]) for r in week] == [
        ("price_drop", "high"), ("bsr_change", "low"), ("out_of_stock", "medium")]
    assert week[2]["our_listings_affected"] == "DRILL-18V, SAW-BLADE-10"
    serious = rows_as_dicts(run(conn, "competitor_moves", min_severity="medium"))
    assert [r["severity"] for r in serious] == ["high", "medium"]
    month = rows_as_dicts(run(conn, "competitor_moves", start_date="today-31d", min_severity="critical"))
    assert [r["severity"] for r in month] == ["critical"]


def test_competitor_threats_keep_the_top_rival_per_listing(conn):
    result = rows_as_dicts(run(conn, "competitor_threats"))
    assert [(r["sku"], r["rival_asin"]) for r in result] == [("DRILL-18V", "B0RIVAL001")]
    assert run(conn, "competitor_threats", min_threat_score=80).rows == []


def test_attribution_outcomes_within_the_window_and_by_verdict(conn):
    recent = rows_as_dicts(run(conn, "attribution_outcomes"))
    assert sorted((r["sku"], r["outcome_metric"], r["verdict"]) for r in recent) == [
        ("DRILL-18V", "sessions", "inconclusive"), ("DRILL-18V", "units", "improved")]
    year = rows_as_dicts(run(conn, "attribution_outcomes", start_date="2026-01-01", verdict="worsened"))
    assert [(r["sku"], r["change_type"]) for r in year] == [("SAW-BLADE-10", "price_change")]


def test_task_backlog_shows_open_tasks_by_priority_with_overdue_flag(conn):
    result = rows_as_dicts(run(conn, "task_backlog"))
    assert [(r["title"], r["is_overdue"], r["days_open"]) for r in result] == [
        ("Add 3 more images", True, 10), ("Review saw blade price", False, 10)]
    assert [r["title"] for r in rows_as_dicts(run(conn, "task_backlog", task_type="pricing"))] == [
        "Review saw blade price"]


def test_a_bad_parameter_is_refused_naming_it(conn):
    with pytest.raises(ParameterError, match=r"'margin_report', parameter 'below_floor_only': expected true or false"):
        run(conn, "margin_report", below_floor_only="maybe")
    with pytest.raises(ParameterError, match=r"'competitor_moves', parameter 'min_severity': 'urgent' is not one of"):
        run(conn, "competitor_moves", min_severity="urgent")
    with pytest.raises(ParameterError, match=r"has no parameter weeks \(its parameters: below_floor_only"):
        run(conn, "margin_report", weeks="4")


def test_a_parameter_value_is_bound_never_spliced_into_the_sql(conn):
    # A value that would end the string and drop a table if formatted into the SQL is only a task type.
    with pytest.raises(ParameterError):   # refused by the choices first ...
        run(conn, "task_backlog", task_type="any' OR 1=1; DROP TABLE workflow.tasks; --")
    own = _own_template(conn, "tasks_titled", "select title from workflow.tasks where title = %(title)s",
                        {"title": {"type": "text"}})
    result = templates.run(conn, own, {"title": "x' OR '1'='1"}, today=TODAY)   # ... and bound as a value
    assert result.rows == []
    assert conn.execute("SELECT count(*) FROM workflow.tasks").fetchone()[0] == 3


def test_a_template_cannot_change_data(conn):
    own = _own_template(conn, "sneaky", "update workflow.tasks set title = 'changed' where %(x)s::int = 1 "
                        "returning id", {"x": {"type": "integer", "default": 1}})
    with pytest.raises(templates.TemplateError, match="(read-only|may not read)"):
        templates.run(conn, own, today=TODAY)
    assert conn.execute("SELECT count(*) FROM workflow.tasks WHERE title = 'changed'").fetchone()[0] == 0


def test_a_template_reading_secrets_is_refused_by_the_reports_role(conn):
    own = _own_template(conn, "secrets", "select name from system.creds", {})
    with pytest.raises(templates.TemplateError, match="'secrets' reads a table the reports role may not read"):
        templates.run(conn, own, today=TODAY)


def test_undeclared_placeholders_are_refused_before_running(conn):
    own = _own_template(conn, "undeclared", "select %(days)s::int as days", {})
    with pytest.raises(ParameterError, match="uses undeclared parameter"):
        templates.run(conn, own, today=TODAY)


def _own_template(conn, name, sql_text, declared):
    import json

    conn.execute("""INSERT INTO reporting.templates (name, sql, parameters) VALUES (%s, %s, %s)
                    ON CONFLICT (name) DO UPDATE SET sql = EXCLUDED.sql, parameters = EXCLUDED.parameters""",
                 (name, sql_text, json.dumps(declared)))
    return templates.find_template(conn, name)
