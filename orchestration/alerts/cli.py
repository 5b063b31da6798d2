"""`listing-helper alerts list|deliver`: what is waiting in the alert outbox, and sending it now."""

from __future__ import annotations

import argparse

STATUSES = ("pending", "sending", "delivered", "abandoned")


def _connect():
    from orchestration import cli
    from orchestration.db import connection

    return connection.connect(cli._database_url(), autocommit=True)


def cmd_list(args: argparse.Namespace) -> int:
    where, params = "TRUE", []
    if args.status:
        where, params = "status = %s", [args.status]
    with _connect() as conn:
        rows = conn.execute(
            f"SELECT created_at, status, channel, destination, severity, subject, attempts, max_attempts, "
            f"next_attempt_at, last_error FROM workflow.alert_outbox WHERE {where} "
            "ORDER BY created_at DESC LIMIT %s", [*params, args.limit]).fetchall()
        counts = dict(conn.execute("SELECT status, count(*) FROM workflow.alert_outbox GROUP BY 1").fetchall())
    print("alerts: " + (", ".join(f"{counts.get(s, 0)} {s}" for s in STATUSES)))
    for created, status, channel, destination, severity, subject, attempts, max_attempts, next_at, error in rows:
        line = f"{created:%Y-%m-%d %H:%M} {status:<9} {channel}/{destination} [{severity or '-'}] {subject}"
        if status in ("pending", "sending"):
            line += f" (attempt {attempts} of {max_attempts}, next {next_at:%Y-%m-%d %H:%M} UTC)"
        print(line)
        if error and status != "delivered":
            print(f"    last error: {error}")
    return 0


def cmd_deliver(args: argparse.Namespace) -> int:
    from orchestration.alerts.delivery import deliver_due

    with _connect() as conn:
        report = deliver_due(conn, limit=args.limit)
    print(report.summary())
    for line in report.lines:
        print(f"  {line}")
    return 0


def register(subparsers) -> None:
    """Adds `alerts` and its verbs to the listing-helper parser (orchestration/cli.py calls this)."""
    alerts = subparsers.add_parser("alerts", help="alert outbox: list, deliver (webhook and e-mail)")
    verbs = alerts.add_subparsers(dest="alerts_command", required=True)
    listing = verbs.add_parser("list", help="alerts waiting, sent and abandoned, newest first")
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--limit", type=int, default=20, help="alerts shown (default 20)")
    listing.set_defaults(func=cmd_list)
    deliver = verbs.add_parser("deliver", help="send the alerts that are due now (retries with backoff)")
    deliver.add_argument("--limit", type=int, default=100, help="most alerts sent in this run (default 100)")
    deliver.set_defaults(func=cmd_deliver)
