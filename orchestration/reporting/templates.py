"""Report templates: load them from reporting.templates and run one read-only, as the reports role."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import psycopg

from orchestration.reporting import parameters

REPORTS_ROLE = "listing_helper_reports"
TIMEZONE = "Europe/London"
STATEMENT_TIMEOUT = "10min"


class TemplateError(ValueError):
    """A template is unknown or its SQL failed; the message names the template."""


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    description: str
    sql: str
    parameters: dict
    default_format: str
    is_builtin: bool


@dataclass
class Result:
    template: Template
    values: dict            # the resolved parameter values that were bound
    columns: list[str]
    rows: list[tuple]
    ran_as: str             # the role the SQL ran as


_COLUMNS = "id::text, name, coalesce(description, ''), sql, parameters, default_format, is_builtin"


def load_templates(conn: psycopg.Connection) -> list[Template]:
    return [Template(*r) for r in conn.execute(f"SELECT {_COLUMNS} FROM reporting.templates ORDER BY name").fetchall()]


def find_template(conn: psycopg.Connection, name: str) -> Template:
    row = conn.execute(f"SELECT {_COLUMNS} FROM reporting.templates WHERE name = %s", (name,)).fetchone()
    if row is None:
        known = ", ".join(t.name for t in load_templates(conn)) or "none"
        raise TemplateError(f"no report template {name!r} (templates: {known})")
    return Template(*row)


def seller_today(at: dt.datetime | None = None) -> dt.date:
    """The seller's calendar day (Europe/London), which relative date parameters count from."""
    return (at or dt.datetime.now(dt.timezone.utc)).astimezone(ZoneInfo(TIMEZONE)).date()


def can_use_reports_role(conn: psycopg.Connection) -> bool:
    return conn.execute("SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = %s) "
                        "AND pg_has_role(current_user, %s, 'MEMBER')", (REPORTS_ROLE, REPORTS_ROLE)).fetchone()[0]


def run(conn: psycopg.Connection, template: Template, given: dict | None = None,
        today: dt.date | None = None) -> Result:
    """Validate and bind the parameters, then run the SQL in a READ ONLY transaction as the reports role
    (as the connecting user when the role is missing or not granted), with London as the session time zone
    so date parameters mean the seller's days."""
    declared = template.parameters or {}
    parameters.check_declarations(template.name, template.sql, declared)
    values = parameters.resolve(template.name, declared, given or {}, today or seller_today())
    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        raise TemplateError(f"template {template.name!r}: run it on a connection outside a transaction")
    try:
        with conn.transaction():
            conn.execute("SET TRANSACTION READ ONLY")
            if can_use_reports_role(conn):
                conn.execute(f"SET LOCAL ROLE {REPORTS_ROLE}")
            conn.execute("SELECT set_config('TimeZone', %s, true), set_config('statement_timeout', %s, true)",
                         (TIMEZONE, STATEMENT_TIMEOUT))
            ran_as = conn.execute("SELECT current_user").fetchone()[0]
            cur = conn.execute(template.sql, values, prepare=False)
            columns = [c.name for c in cur.description or []]
            rows = cur.fetchall() if cur.description else []
    except psycopg.errors.InsufficientPrivilege as exc:
        raise TemplateError(f"template {template.name!r} reads a table the reports role may not read "
                            f"({exc.diag.message_primary}); see docs/decisions/2026-11-26-reporting-exports-and-role.md"
                            ) from None
    except psycopg.errors.ReadOnlySqlTransaction:
        raise TemplateError(f"template {template.name!r} tries to change data; templates are read-only") from None
    except psycopg.Error as exc:
        raise TemplateError(f"template {template.name!r} failed: {exc.diag.message_primary or exc}") from None
    if not columns:
        raise TemplateError(f"template {template.name!r} returned no columns: it must be a SELECT")
    return Result(template, values, columns, rows, ran_as)


def plain(value):
    """A cell as a file format can hold it: UUIDs and JSON as text, arrays joined."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, (list, tuple)):
        return ", ".join("" if v is None else str(plain(v)) for v in value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal) and not value.is_finite():
        return None
    return value
