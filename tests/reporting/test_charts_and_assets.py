"""Charts drawn from the marts (PNG), attribution charts reused byte for byte, and the Dagster assets."""

import dagster as dg
import psycopg

from orchestration.assets.reporting.definitions import defs as reporting_defs
from orchestration.reporting import charts
from orchestration.reporting.summary import demo_summary, write_default_exports
from orchestration.resources import WarehouseResource

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_every_chart_is_drawn_from_the_marts_and_attribution_pngs_are_reused(conn, world, tmp_path):
    run = charts.write_charts(conn, tmp_path)
    assert run.skipped == {}
    assert {"score_trend", "margin_waterfall", "competitor_prices"} <= set(run.written)
    for path in run.written.values():
        assert path.read_bytes().startswith(PNG_SIGNATURE)
    reused = [p for name, p in run.written.items() if name.startswith("attribution_")]
    assert [p.name for p in reused] == ["attribution_DRILL-18V_title_update_2026-10-31.png"]
    assert reused[0].read_bytes() == world.chart_png


def test_the_same_data_draws_the_same_chart(conn, tmp_path):
    first = charts.margin_waterfall(conn, tmp_path / "a").read_bytes()
    assert charts.margin_waterfall(conn, tmp_path / "b").read_bytes() == first


def test_a_chart_without_data_is_skipped_with_the_reason(scratch, tmp_path):
    from orchestration.db import migrate

    url = scratch.create("lh_test_reporting_empty")
    with psycopg.connect(url, autocommit=True) as conn:
        migrate.migrate(conn)
        run = charts.write_charts(conn, tmp_path)
    assert run.written == {}
    assert run.skipped["margin_waterfall"] == "marts.fct_listing_margins is not built yet (dbt build)"
    assert run.skipped["attribution_before_after"] == "no attribution charts drawn yet"


def test_the_reporting_assets_materialize_exports_and_charts_with_metadata(reporting_db, world, conn, home):
    conn.execute("""INSERT INTO reporting.schedules (template_id, name, cron, destination_folder, created_at)
                    SELECT id, 'every-minute-tasks', '* * * * *', 'dagster', now() - interval '1 day'
                    FROM reporting.templates WHERE name = 'task_backlog'""")
    try:
        result = dg.materialize(reporting_defs.assets,
                                resources={"warehouse": WarehouseResource(database_url=reporting_db)})
    finally:
        conn.execute("UPDATE reporting.schedules SET is_active = false WHERE name = 'every-minute-tasks'")
    assert result.success
    exported = result.asset_materializations_for_node("scheduled_report_exports")[0].metadata
    assert exported["exports_written"].value == 1
    files = exported["files"].value
    assert files[0]["template"] == "task_backlog" and files[0]["rows"] == 2
    drawn = result.asset_materializations_for_node("report_charts")[0].metadata
    assert drawn["score_trend"].value.startswith("![score_trend](data:image/png;base64,")
    assert (home / "exports" / "charts" / "margin_waterfall.png").exists()


def test_default_exports_write_every_built_in_and_the_summary_lists_them(conn, tmp_path):
    written = write_default_exports(conn, tmp_path)
    built_in = {t for (t,) in conn.execute("SELECT name FROM reporting.templates WHERE is_builtin").fetchall()}
    assert written.failed == {} and {e.template for e in written.exports} == built_in
    assert all(e.path.exists() for e in written.exports) and "score_trend" in written.charts.written
    lines = demo_summary(conn)
    assert lines[0].startswith("report templates:    ")
    for export in written.exports:
        assert any(export.template in line and str(export.path) in line for line in lines)


def test_the_reporting_definitions_merge_into_the_code_location():
    from orchestration.definitions import defs as location

    merged = dg.Definitions.merge(location, reporting_defs)
    repository = merged.get_repository_def()
    assert {"run_scheduled_exports", "draw_report_charts"} <= set(repository.job_names)
    assert "report_charts_daily" in {s.name for s in repository.schedule_defs}
    assert "report_schedules_due" in {s.name for s in repository.sensor_defs}
    graph = repository.asset_graph
    keys = {dg.AssetKey("scheduled_report_exports"), dg.AssetKey("report_charts")}
    assert {graph.get(key).group_name for key in keys} == {"reporting"}


def test_the_sensor_requests_exports_only_when_a_tick_is_due(reporting_db, world, conn):
    from orchestration.assets.reporting.definitions import report_schedules_due as sensor

    resources = {"warehouse": WarehouseResource(database_url=reporting_db)}
    conn.execute("UPDATE reporting.schedules SET is_active = false")
    with dg.build_sensor_context(resources=resources) as context:
        assert isinstance(sensor(context), dg.SkipReason)
    sid = conn.execute("""INSERT INTO reporting.schedules (template_id, name, cron, created_at)
                          SELECT id, 'sensor-test', '0 * * * *', now() - interval '2 hours'
                          FROM reporting.templates WHERE name = 'margin_report' RETURNING id::text""").fetchone()[0]
    try:
        with dg.build_sensor_context(resources=resources) as context:
            request = sensor(context)
    finally:
        conn.execute("UPDATE reporting.schedules SET is_active = false WHERE id = %s", (sid,))
    assert isinstance(request, dg.RunRequest) and request.run_key.startswith(f"exports:{sid}@")
