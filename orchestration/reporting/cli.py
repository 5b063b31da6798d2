"""`listing-helper export TEMPLATE` and `listing-helper reports list|schedule|charts`: reports as files."""

from __future__ import annotations

import argparse

from orchestration.reporting import exports, parameters, templates


def _connect():
    from orchestration import cli
    from orchestration.db import connection

    return connection.connect(cli._database_url(), autocommit=True)


def cmd_export(args: argparse.Namespace) -> int:
    given = parameters.parse_pairs(args.param)
    with _connect() as conn:
        result = exports.export(conn, args.template, args.format, given, args.to, requested_by="cli")
    print(f"{result.template}: {result.row_count} rows -> {result.path}")
    print(f"  {result.byte_size} bytes, sha256 {result.sha256}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with _connect() as conn:
        found = templates.load_templates(conn)
        schedules = conn.execute("""SELECT t.name, coalesce(s.name, ''), s.cron, s.timezone, s.is_active,
                                           coalesce(s.format, t.default_format), s.destination_folder
                                    FROM reporting.schedules s JOIN reporting.templates t ON t.id = s.template_id
                                    ORDER BY t.name, s.name""").fetchall()
        last = dict(conn.execute("""SELECT DISTINCT ON (template_id) template_id::text,
                                           finished_at::timestamp(0)::text || ' (' || row_count || ' rows)'
                                    FROM reporting.exports WHERE status = 'succeeded'
                                    ORDER BY template_id, finished_at DESC""").fetchall())
    if not found:
        print("no report templates (run `listing-helper db migrate`)")
    for t in found:
        print(f"{t.name}{'' if t.is_builtin else ' [yours]'} ({t.default_format})\n    {t.description}")
        for name, spec in (t.parameters or {}).items():
            default = f", default {spec['default']!r}" if "default" in spec else ", required"
            choices = f", one of {'|'.join(map(str, spec['choices']))}" if "choices" in spec else ""
            print(f"    --param {name}=<{spec.get('type')}>{default}{choices}: {spec.get('description', '')}")
        print(f"    last export: {last.get(t.id, 'never')}")
    if schedules:
        print("\nschedules:")
        for template, name, cron, tz, active, fmt, folder in schedules:
            print(f"  {name or template}: {template} at '{cron}' {tz} as {fmt} into {folder}"
                  + ("" if active else " (paused)"))
    return 0


def cmd_charts(args: argparse.Namespace) -> int:
    from orchestration.reporting.charts import write_charts

    folder = exports.resolve_folder(args.to) / "charts" if args.to is None else exports.resolve_folder(args.to)
    with _connect() as conn:
        run = write_charts(conn, folder)
    for name, path in run.written.items():
        print(f"{name}: {path}")
    for name, why in run.skipped.items():
        print(f"{name}: skipped, {why}")
    return 0


def cmd_schedule(args: argparse.Namespace) -> int:
    from orchestration.reporting.schedules import add_schedule

    given = parameters.parse_pairs(args.param)
    with _connect() as conn:
        name = add_schedule(conn, args.template, args.cron, given, args.format, args.to, args.name, args.timezone)
    print(f"schedule {name!r}: {args.template} at '{args.cron}' {args.timezone}; the Dagster sensor "
          "report_schedules_due writes each tick's file (within 5 minutes of it)")
    return 0


def register(subparsers) -> None:
    export = subparsers.add_parser("export", help="run a report template and write it to a file")
    export.add_argument("template", help="template name (`listing-helper reports list`)")
    export.add_argument("--format", choices=exports.FORMATS, help="default: the template's own")
    export.add_argument("--param", action="append", metavar="NAME=VALUE",
                        help="a template parameter, e.g. --param start_date=today-14d (repeatable)")
    export.add_argument("--to", metavar="DIR", help="folder for the file (default: exports/ in the platform's home)")
    export.set_defaults(func=cmd_export)

    reports = subparsers.add_parser("reports", help="report templates, schedules and charts").add_subparsers(
        dest="reports_command", required=True)
    reports.add_parser("list", help="templates with their parameters, schedules, last exports").set_defaults(
        func=cmd_list)
    schedule = reports.add_parser("schedule", help="export a template on a cron (added or updated by name)")
    schedule.add_argument("template")
    schedule.add_argument("--cron", required=True, help="five fields, e.g. '0 7 * * 1' (Mondays 07:00)")
    schedule.add_argument("--timezone", default="Europe/London")
    schedule.add_argument("--name", help="default: the template's name")
    schedule.add_argument("--format", choices=exports.FORMATS, help="default: the template's own")
    schedule.add_argument("--param", action="append", metavar="NAME=VALUE", help="as for `export` (repeatable)")
    schedule.add_argument("--to", metavar="DIR", default="exports", help="folder, relative to the platform's home "
                          "unless absolute (default: exports)")
    schedule.set_defaults(func=cmd_schedule)
    chart = reports.add_parser("charts", help="draw the charts (score trend, margin waterfall, ...) as PNGs")
    chart.add_argument("--to", metavar="DIR", help="folder (default: exports/charts in the platform's home)")
    chart.set_defaults(func=cmd_charts)
