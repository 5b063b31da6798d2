"""Exports: a template's rows written as CSV, Excel, Parquet or JSON, each recorded in reporting.exports
with its row count, size and sha256."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

from orchestration import settings
from orchestration.reporting import parameters, templates

FORMATS = ("csv", "xlsx", "parquet", "json")


@dataclass
class Export:
    id: str
    template: str
    format: str
    path: Path
    row_count: int
    byte_size: int
    sha256: str
    already_done: bool = False   # a scheduled period exported before: nothing was written this time


def default_folder() -> Path:
    return settings.home_dir() / "exports"


def resolve_folder(folder: str | Path | None) -> Path:
    """A relative folder (a schedule's 'exports') lives under the platform's home; absolute ones are kept."""
    if folder is None:
        return default_folder()
    path = Path(folder).expanduser()
    return path if path.is_absolute() else settings.home_dir() / path


def export(conn: psycopg.Connection, template_name: str, fmt: str | None = None, given: dict | None = None,
           folder: str | Path | None = None, *, today: dt.date | None = None, schedule_id: str | None = None,
           period_start: dt.datetime | None = None, requested_by: str | None = None,
           dagster_run_id: str | None = None) -> Export:
    """Run a template and write its rows to a file in `folder`, recorded in reporting.exports.

    With a schedule and period, the export is made once: a re-run finds the succeeded row and returns it."""
    if not conn.autocommit:
        raise ValueError("exports record their progress as they go: use an autocommit connection")
    template = templates.find_template(conn, template_name)
    fmt = (fmt or template.default_format).lower()
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: choose one of {', '.join(FORMATS)}")
    export_id = _start(conn, template, fmt, schedule_id, period_start, requested_by, dagster_run_id)
    if export_id is None:
        return _finished(conn, schedule_id, period_start)
    try:
        result = templates.run(conn, template, given, today)
        stamp = (period_start or dt.datetime.now(dt.timezone.utc)).astimezone(ZoneInfo(templates.TIMEZONE))
        name = f"{template.name}_{stamp:%Y-%m-%d_%H%M}" + ("" if period_start else f"{stamp:%S}")
        path = resolve_folder(folder) / f"{name}.{fmt}"
        write(result.columns, result.rows, path, fmt)
        digest, size = sha256_of(path), path.stat().st_size
    except Exception as exc:
        conn.execute("UPDATE reporting.exports SET status = 'failed', error_message = %s, finished_at = now() "
                     "WHERE id = %s", (str(exc)[:2000], export_id))
        raise
    conn.execute("""UPDATE reporting.exports SET status = 'succeeded', parameters = %s, file_path = %s,
                    row_count = %s, byte_size = %s, sha256 = %s, ran_as = %s, error_message = NULL,
                    finished_at = now() WHERE id = %s""",
                 (json.dumps(parameters.to_json(result.values)), str(path), len(result.rows), size, digest,
                  result.ran_as, export_id))
    return Export(export_id, template.name, fmt, path, len(result.rows), size, digest)


def _start(conn, template, fmt, schedule_id, period_start, requested_by, dagster_run_id) -> str | None:
    """The export's row, status running; None when this schedule's period already succeeded."""
    row = conn.execute("""
        INSERT INTO reporting.exports (template_id, schedule_id, period_start, format, status, requested_by,
                                       dagster_run_id, started_at)
        VALUES (%s, %s, %s, %s, 'running', %s, %s, now())
        ON CONFLICT (schedule_id, period_start) WHERE schedule_id IS NOT NULL DO UPDATE
        SET status = 'running', format = EXCLUDED.format, dagster_run_id = EXCLUDED.dagster_run_id,
            started_at = now(), finished_at = NULL, error_message = NULL
        WHERE reporting.exports.status <> 'succeeded'
        RETURNING id::text""", (template.id, schedule_id, period_start, fmt, requested_by, dagster_run_id)).fetchone()
    return row[0] if row else None


def _finished(conn, schedule_id, period_start) -> Export:
    row = conn.execute("""SELECT e.id::text, t.name, e.format, e.file_path, e.row_count, e.byte_size, e.sha256
                          FROM reporting.exports e JOIN reporting.templates t ON t.id = e.template_id
                          WHERE e.schedule_id = %s AND e.period_start = %s""", (schedule_id, period_start)).fetchone()
    return Export(row[0], row[1], row[2], Path(row[3]), row[4], row[5] or 0, row[6], already_done=True)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write(columns: list[str], rows: list[tuple], path: Path, fmt: str) -> None:
    """Write to a temporary name, then rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    cells = [[templates.plain(v) for v in row] for row in rows]
    if fmt == "xlsx":
        _write_xlsx(columns, cells, partial)
    elif fmt == "json":
        partial.write_text(json.dumps([dict(zip(columns, r)) for r in cells], default=_json_value, indent=1))
    else:
        frame = to_frame(columns, cells)
        if fmt == "csv":
            frame.write_csv(partial)
        else:
            frame.write_parquet(partial)
    os.replace(partial, path)


def to_frame(columns: list[str], cells: list[list]):
    """A polars frame with one dtype per column from the database values (money stays Decimal)."""
    import polars as pl

    data = {}
    for i, name in enumerate(columns):
        values = [r[i] for r in cells]
        present = [v for v in values if v is not None]
        if present and all(isinstance(v, Decimal) for v in present):
            scale = max(max(0, -v.as_tuple().exponent) for v in present)
            data[name] = pl.Series(name, values, dtype=pl.Decimal(38, min(scale, 18)), strict=False)
        else:
            data[name] = pl.Series(name, values, strict=False)
    return pl.DataFrame(data) if data else pl.DataFrame(schema=columns)


def _write_xlsx(columns: list[str], cells: list[list], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("report")
    sheet.freeze_panes = "A2"
    header = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    london = ZoneInfo(templates.TIMEZONE)
    for row in cells:
        sheet.append([_xlsx_value(v, london) for v in row])
    if columns:
        from openpyxl.utils import get_column_letter

        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(cells) + 1}"
    book.save(path)


def _xlsx_value(value, london):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(london).replace(tzinfo=None)   # Excel has no time zones: the seller's clock
    return value


def _json_value(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)
