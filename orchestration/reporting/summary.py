"""The demo's reporting step: write every built-in report and chart into a folder, and say what was written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from orchestration.reporting import charts, exports, templates


@dataclass
class DefaultExports:
    folder: Path
    exports: list[exports.Export] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    charts: charts.ChartRun = field(default_factory=charts.ChartRun)

    def summary(self) -> str:
        return (f"{len(self.exports)} reports and {len(self.charts.written)} charts in {self.folder}"
                + (f", {len(self.failed)} failed" if self.failed else ""))


def write_default_exports(conn: psycopg.Connection, folder: str | Path | None = None,
                          requested_by: str = "demo") -> DefaultExports:
    """Each built-in template in its default format, and the charts, into `folder` (default: home/exports)."""
    target = exports.resolve_folder(folder)
    result = DefaultExports(target)
    for template in templates.load_templates(conn):
        if not template.is_builtin:
            continue
        try:
            result.exports.append(exports.export(conn, template.name, folder=target, requested_by=requested_by))
        except ValueError as exc:
            result.failed[template.name] = str(exc)
    result.charts = charts.write_charts(conn, target / "charts")
    return result


def demo_summary(conn: psycopg.Connection) -> list[str]:
    """Lines for the demo's closing summary: templates, schedules and the latest export of each template."""
    n_templates, n_builtin = conn.execute(
        "SELECT count(*), count(*) FILTER (WHERE is_builtin) FROM reporting.templates").fetchone()
    n_schedules = conn.execute("SELECT count(*) FROM reporting.schedules WHERE is_active").fetchone()[0]
    latest = conn.execute("""
        SELECT DISTINCT ON (t.name) t.name, e.format, e.row_count, e.file_path
        FROM reporting.exports e JOIN reporting.templates t ON t.id = e.template_id
        WHERE e.status = 'succeeded' ORDER BY t.name, e.finished_at DESC""").fetchall()
    lines = [f"report templates:    {n_templates} ({n_builtin} built in), {n_schedules} active schedules"]
    for name, fmt, rows, path in latest:
        lines.append(f"  {name:28} {rows:>6} rows  {path}")
    if not latest:
        lines.append("  no exports yet: `listing-helper export weekly_listing_performance --format xlsx`")
    return lines
