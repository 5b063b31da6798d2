"""`listing-helper demo`: the whole platform, once, on the sandbox marketplace, with a report at the end."""

from __future__ import annotations

import argparse

from orchestration import cli
from orchestration.db import connection, migrate

APPLICATION_SCHEMAS = ("catalog", "pricing", "analytics", "competitors", "inventory", "workflow", "reporting", "system", "raw")


def _schema_summary(conn) -> list[tuple[str, int]]:
    return conn.execute(
        """
        SELECT n.nspname, count(c.oid) FILTER (WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition)
        FROM pg_namespace n LEFT JOIN pg_class c ON c.relnamespace = n.oid
        WHERE n.nspname = ANY(%s) GROUP BY n.nspname ORDER BY n.nspname
        """,
        (list(APPLICATION_SCHEMAS),),
    ).fetchall()


def run_demo(args: argparse.Namespace) -> int:
    print("Listing Helper demo: a simulated UK DIY & tools seller on the sandbox marketplace\n")
    url = cli._database_url()
    with cli.Stage("applying the schema (sql/timescale)") as stage:
        with connection.connect(url, autocommit=True) as conn:
            applied = migrate.migrate(conn)
            current = migrate.state(conn)
            stage.done(
                f"{len(applied)} migration(s) applied, {len(current.applied)} in the ledger, "
                f"time series stored as {current.storage_mode}"
            )
            summary = _schema_summary(conn)
            series = conn.execute("SELECT table_name, storage FROM system.time_series ORDER BY 1").fetchall()

    print("\nSchema")
    for schema, tables in summary:
        print(f"  {schema:12} {tables:3} tables")
    print(f"  time series: {', '.join(name for name, _ in series)}")
    print("\nNext: `listing-helper ui` opens the Dagster UI on this database; `listing-helper db info` shows its state.")
    return 0
