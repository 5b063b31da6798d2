"""Exports: files that read back to the template's rows, recorded with row count and sha256; scheduled exports
once per (schedule, tick); the `export` and `reports` verbs."""

import argparse
import datetime as dt
import hashlib
import json

import polars as pl
import pytest
from mart_world import TODAY
from openpyxl import load_workbook

from orchestration.reporting import cli as reporting_cli
from orchestration.reporting import exports, schedules


def recorded(conn, export_id):
    return conn.execute("SELECT status, row_count, byte_size, sha256, file_path, parameters, ran_as "
                        "FROM reporting.exports WHERE id = %s", (export_id,)).fetchone()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet", "json"])
def test_an_export_reads_back_to_the_rows_and_records_its_checksum(conn, tmp_path, fmt):
    result = exports.export(conn, "margin_report", fmt, {"below_floor_only": "false"}, tmp_path, today=TODAY)
    assert result.path.parent == tmp_path and result.path.suffix == f".{fmt}" and result.row_count == 3
    if fmt == "csv":
        frame = pl.read_csv(result.path)
    elif fmt == "parquet":
        frame = pl.read_parquet(result.path)
    if fmt in ("csv", "parquet"):
        assert frame["sku"].to_list() == ["TAPE-5M", "SAW-BLADE-10", "DRILL-18V"]
        assert [None if v is None else float(v) for v in frame["net_margin_pct"].to_list()] == [None, -3.31, 29.65]
    elif fmt == "xlsx":
        sheet = load_workbook(result.path, read_only=True).active
        rows = list(sheet.values)
        assert rows[0][0] == "sku" and [r[0] for r in rows[1:]] == ["TAPE-5M", "SAW-BLADE-10", "DRILL-18V"]
    else:
        assert [r["sku"] for r in json.loads(result.path.read_text())] == ["TAPE-5M", "SAW-BLADE-10", "DRILL-18V"]
    status, rows, size, sha, path, params, ran_as = recorded(conn, result.id)
    assert (status, rows, path) == ("succeeded", 3, str(result.path))
    assert sha == hashlib.sha256(result.path.read_bytes()).hexdigest() and size == result.path.stat().st_size
    assert params == {"below_floor_only": False, "min_net_margin_pct": None} and ran_as == "listing_helper_reports"


def test_a_relative_folder_lands_under_the_platform_home(conn, home):
    result = exports.export(conn, "task_backlog", "csv", folder="exports/weekly", today=TODAY)
    assert result.path.parent == (home / "exports" / "weekly").resolve()


def _schedule(conn, name, cron, params=None, fmt="csv", created="2026-11-01 00:00+00"):
    return conn.execute("""INSERT INTO reporting.schedules (template_id, name, cron, parameters, format,
                           destination_folder, created_at)
                           SELECT id, %s, %s, %s, %s, %s, %s FROM reporting.templates WHERE name = 'competitor_moves'
                           RETURNING id::text""",
                        (name, cron, json.dumps(params or {}), fmt, name, created)).fetchone()[0]


def test_a_schedule_exports_once_per_tick_with_dates_counted_from_the_tick(conn, home):
    sid = _schedule(conn, "monday-moves", "0 7 * * 1")
    # Friday 20 Nov: the latest tick is Monday 16 Nov 07:00 London (07:00 UTC in November).
    friday = dt.datetime(2026, 11, 20, 12, tzinfo=dt.timezone.utc)
    first = schedules.run_due(conn, friday)
    mine = [e for e in first.written if e.template == "competitor_moves"]
    assert len(mine) == 1 and mine[0].path.name == "competitor_moves_2026-11-16_0700.csv"
    again = schedules.run_due(conn, friday + dt.timedelta(hours=1))
    assert not [e for e in again.written if e.template == "competitor_moves"]
    rows = conn.execute("SELECT period_start, parameters->>'start_date', status FROM reporting.exports "
                        "WHERE schedule_id = %s", (sid,)).fetchall()
    assert rows == [(dt.datetime(2026, 11, 16, 7, tzinfo=dt.timezone.utc), "2026-11-09", "succeeded")]
    next_week = schedules.run_due(conn, dt.datetime(2026, 11, 23, 8, tzinfo=dt.timezone.utc))
    assert [e.path.name for e in next_week.written if e.template == "competitor_moves"] == [
        "competitor_moves_2026-11-23_0700.csv"]
    conn.execute("UPDATE reporting.schedules SET is_active = false WHERE id = %s", (sid,))


def test_a_failed_scheduled_export_is_recorded_and_retried_in_the_same_period(conn, home):
    sid = _schedule(conn, "bad-severity", "0 6 * * *", params={"min_severity": "urgent"})
    at = dt.datetime(2026, 11, 20, 12, tzinfo=dt.timezone.utc)
    run = schedules.run_due(conn, at)
    assert [(d.schedule_name, "not one of" in why) for d, why in run.failed] == [("bad-severity", True)]
    status, error = conn.execute("SELECT status, error_message FROM reporting.exports WHERE schedule_id = %s",
                                 (sid,)).fetchone()
    assert status == "failed" and "parameter 'min_severity'" in error
    conn.execute("UPDATE reporting.schedules SET parameters = '{\"min_severity\": \"high\"}' WHERE id = %s", (sid,))
    retried = schedules.run_due(conn, at)
    assert [e.row_count for e in retried.written if e.path.parent.name == "bad-severity"] == [1]
    assert conn.execute("SELECT count(*), min(status) FROM reporting.exports WHERE schedule_id = %s",
                        (sid,)).fetchone() == (1, "succeeded")
    conn.execute("UPDATE reporting.schedules SET is_active = false WHERE id = %s", (sid,))


def test_a_schedule_created_after_its_latest_tick_waits_for_the_next(conn, home):
    sid = _schedule(conn, "new-one", "0 6 * * *", created="2026-11-20 10:00+00")
    run = schedules.run_due(conn, dt.datetime(2026, 11, 20, 12, tzinfo=dt.timezone.utc))
    assert not [e for e in run.written if e.path.parent.name == "new-one"]
    conn.execute("UPDATE reporting.schedules SET is_active = false WHERE id = %s", (sid,))


def _cli(argv):
    parser = argparse.ArgumentParser()
    reporting_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_the_export_verb_writes_the_file_and_prints_its_checksum(reporting_db, world, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LISTING_HELPER_DATABASE_URL", reporting_db)
    assert _cli(["export", "task_backlog", "--format", "xlsx", "--param", "task_type=pricing",
                 "--to", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    written = list(tmp_path.glob("task_backlog_*.xlsx"))
    assert len(written) == 1 and "task_backlog: 1 rows" in out
    assert hashlib.sha256(written[0].read_bytes()).hexdigest() in out


def test_the_export_verb_names_a_bad_parameter(reporting_db, world, tmp_path, monkeypatch):
    from orchestration.reporting.parameters import ParameterError

    monkeypatch.setenv("LISTING_HELPER_DATABASE_URL", reporting_db)
    with pytest.raises(ParameterError, match="parameter 'start_date': expected a date"):
        _cli(["export", "competitor_moves", "--param", "start_date=yesterday", "--to", str(tmp_path)])
    assert not list(tmp_path.iterdir())


def test_reports_list_shows_templates_with_their_parameters(reporting_db, world, monkeypatch, capsys):
    monkeypatch.setenv("LISTING_HELPER_DATABASE_URL", reporting_db)
    assert _cli(["reports", "list"]) == 0
    out = capsys.readouterr().out
    assert "margin_report (xlsx)" in out and "--param below_floor_only=<boolean>, default False" in out


def test_reports_schedule_checks_cron_and_parameters_then_adds_or_updates_by_name(reporting_db, conn, monkeypatch):
    monkeypatch.setenv("LISTING_HELPER_DATABASE_URL", reporting_db)
    with pytest.raises(ValueError, match="cron 'every monday': expected five fields"):
        _cli(["reports", "schedule", "margin_report", "--cron", "every monday"])
    with pytest.raises(ValueError, match="parameter 'below_floor_only': expected true or false"):
        _cli(["reports", "schedule", "margin_report", "--cron", "0 7 * * 1", "--param", "below_floor_only=perhaps"])
    assert _cli(["reports", "schedule", "margin_report", "--cron", "0 7 * * 1", "--name", "cli-margins"]) == 0
    assert _cli(["reports", "schedule", "margin_report", "--cron", "0 8 * * 1", "--name", "cli-margins",
                 "--param", "below_floor_only=true", "--format", "parquet"]) == 0
    rows = conn.execute("SELECT cron, parameters, format FROM reporting.schedules WHERE name = 'cli-margins'").fetchall()
    assert rows == [("0 8 * * 1", {"below_floor_only": "true"}, "parquet")]
    conn.execute("UPDATE reporting.schedules SET is_active = false WHERE name = 'cli-margins'")
