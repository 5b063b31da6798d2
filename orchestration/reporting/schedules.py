"""Scheduled exports: each active schedule's latest cron tick, exported once per (schedule, tick)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field

import psycopg

from orchestration.reporting import exports, parameters, templates

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Due:
    schedule_id: str
    schedule_name: str
    template: str
    period_start: dt.datetime     # the cron tick, UTC
    parameters: dict
    format: str | None
    folder: str
    timezone: str


@dataclass
class ScheduleRun:
    written: list[exports.Export] = field(default_factory=list)
    already_done: list[exports.Export] = field(default_factory=list)
    failed: list[tuple[Due, str]] = field(default_factory=list)
    invalid: list[tuple[str, str]] = field(default_factory=list)   # (schedule, why it was skipped)


def latest_tick(cron: str, at: dt.datetime, timezone: str) -> dt.datetime | None:
    """The latest time at or before `at` that `cron` fires in `timezone`; None for an invalid cron."""
    from dagster._utils.schedules import is_valid_cron_string, reverse_cron_string_iterator

    if not is_valid_cron_string(cron):
        return None
    return next(reverse_cron_string_iterator(at.timestamp(), cron, timezone)).astimezone(dt.timezone.utc)


def due_exports(conn: psycopg.Connection, at: dt.datetime) -> tuple[list[Due], list[tuple[str, str]]]:
    """Active schedules whose latest tick at or before `at` (and after the schedule was created) has no
    succeeded export yet. Missed older ticks are not back-filled: the latest period is what the seller wants."""
    rows = conn.execute("""
        SELECT s.id::text, coalesce(s.name, t.name), t.name, s.cron, s.timezone, s.parameters, s.format,
               s.destination_folder, s.created_at
        FROM reporting.schedules s JOIN reporting.templates t ON t.id = s.template_id
        WHERE s.is_active ORDER BY s.created_at, s.id""").fetchall()
    due, invalid = [], []
    for sid, name, template, cron, tz, params, fmt, folder, created_at in rows:
        tick = latest_tick(cron, at, tz)
        if tick is None:
            invalid.append((name, f"cron {cron!r} is not a valid five-field cron"))
            continue
        if tick < created_at:
            continue
        done = conn.execute("SELECT EXISTS (SELECT FROM reporting.exports WHERE schedule_id = %s "
                            "AND period_start = %s AND status = 'succeeded')", (sid, tick)).fetchone()[0]
        if not done:
            due.append(Due(sid, name, template, tick, params or {}, fmt, folder, tz))
    return due, invalid


def run_due(conn: psycopg.Connection, at: dt.datetime | None = None, dagster_run_id: str | None = None) -> ScheduleRun:
    """Export every due (schedule, tick). Relative dates count from the tick's day in the schedule's zone,
    so a re-run of the same tick binds the same values. One failing schedule does not stop the others."""
    from zoneinfo import ZoneInfo

    at = at or dt.datetime.now(dt.timezone.utc)
    due, invalid = due_exports(conn, at)
    run = ScheduleRun(invalid=invalid)
    for item in due:
        try:
            result = exports.export(conn, item.template, item.format, item.parameters, item.folder,
                                    today=item.period_start.astimezone(ZoneInfo(item.timezone)).date(),
                                    schedule_id=item.schedule_id, period_start=item.period_start,
                                    requested_by=f"schedule:{item.schedule_name}", dagster_run_id=dagster_run_id)
        except (ValueError, OSError) as exc:   # TemplateError and ParameterError are ValueErrors
            log.warning("scheduled export %s for %s failed: %s", item.schedule_name, item.period_start, exc)
            run.failed.append((item, str(exc)))
            continue
        (run.already_done if result.already_done else run.written).append(result)
        conn.execute("UPDATE reporting.schedules SET last_run_at = now(), updated_at = now() WHERE id = %s",
                     (item.schedule_id,))
    return run


def add_schedule(conn: psycopg.Connection, template_name: str, cron: str, given: dict | None = None,
                 fmt: str | None = None, folder: str = "exports", name: str | None = None,
                 timezone: str = templates.TIMEZONE) -> str:
    """Add (or update, by name) a schedule after checking its cron, time zone and parameters, so a typo is
    refused now rather than at the first tick."""
    from dagster._utils.schedules import is_valid_cron_string
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    template = templates.find_template(conn, template_name)
    if not is_valid_cron_string(cron):
        raise ValueError(f"cron {cron!r}: expected five fields, e.g. '0 7 * * 1' (Mondays 07:00)")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"time zone {timezone!r} is unknown (e.g. Europe/London)") from None
    if fmt is not None and fmt not in exports.FORMATS:
        raise ValueError(f"format {fmt!r}: choose one of {', '.join(exports.FORMATS)}")
    parameters.check_declarations(template.name, template.sql, template.parameters or {})
    parameters.resolve(template.name, template.parameters or {}, given or {}, templates.seller_today())
    name = name or template.name
    existing = conn.execute("SELECT id FROM reporting.schedules WHERE name = %s", (name,)).fetchone()
    values = (template.id, cron, timezone, json.dumps(given or {}), fmt, folder)
    if existing:
        conn.execute("""UPDATE reporting.schedules SET template_id = %s, cron = %s, timezone = %s, parameters = %s,
                        format = %s, destination_folder = %s, is_active = true, updated_at = now() WHERE id = %s""",
                     (*values, existing[0]))
    else:
        conn.execute("""INSERT INTO reporting.schedules (template_id, cron, timezone, parameters, format,
                        destination_folder, name) VALUES (%s, %s, %s, %s, %s, %s, %s)""", (*values, name))
    return name
