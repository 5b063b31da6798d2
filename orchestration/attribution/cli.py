"""`listing-helper attribution`: what each change did, in plain language; `--measure` re-runs the analysis."""

from __future__ import annotations

import argparse
from pathlib import Path

VERDICTS = ("improved", "worsened", "inconclusive")


def register(subparsers) -> argparse.ArgumentParser:
    """Add the `attribution` verb to the CLI's subparsers (called from orchestration/cli.py)."""
    p = subparsers.add_parser("attribution", help="what each listing change did to sessions, conversion and sales")
    p.add_argument("--sku", help="only this SKU's changes")
    p.add_argument("--verdict", choices=VERDICTS, help="only changes with this verdict (on any outcome)")
    p.add_argument("--limit", type=int, default=50, help="newest first, at most this many (default 50)")
    p.add_argument("--measure", action="store_true",
                   help="record new changes and re-estimate all of them before listing")
    p.add_argument("--charts-to", type=Path, metavar="FOLDER",
                   help="also write the stored before/after charts of the listed changes as PNG files here")
    p.set_defaults(func=cmd_attribution)
    return p


def cmd_attribution(args: argparse.Namespace) -> int:
    from orchestration import cli
    from orchestration.attribution import measure, summary
    from orchestration.db import connection

    url = cli._database_url()
    with connection.connect(url, autocommit=True) as conn:
        if args.measure:
            with cli.Stage("attribution: record changes, estimate effects") as stage:
                counts = measure.measure(conn)
                stage.done(f"{counts.get('events', 0)} changes measured, {counts.get('charts', 0)} charts")
        lines = summary.verdict_lines(conn, args.sku, args.verdict, args.limit)
        if not lines:
            print("No measured changes" + (f" for {args.sku}" if args.sku else "")
                  + (f" with verdict {args.verdict}" if args.verdict else "")
                  + ". Run `listing-helper attribution --measure` after a sync.")
            return 0
        for line in lines:
            print(line)
        if args.charts_to:
            args.charts_to.mkdir(parents=True, exist_ok=True)
            rows = conn.execute(
                "select l.sku, e.change_type, e.change_timestamp::date, c.png from analytics.attribution_charts c "
                "join analytics.attribution_events e on e.id = c.event_id join catalog.listings l on l.id = e.listing_id "
                "where (%s::text is null or l.sku = %s) order by e.change_timestamp desc limit %s",
                (args.sku, args.sku, args.limit)).fetchall()
            for sku, kind, day, png in rows:
                (args.charts_to / f"{sku}_{day}_{kind}.png").write_bytes(bytes(png))
            print(f"{len(rows)} chart(s) written to {args.charts_to}")
    return 0
