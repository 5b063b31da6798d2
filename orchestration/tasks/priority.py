"""Task priority: impact (expected GBP), ease and urgency, 0-10 each, and priority_score 0-100, in one statement.

The formula and its settings are in sql/priority.sql and docs/decisions/2026-11-26-task-priority.md. Rule-created
tasks are scored by the rules engine at the end of its tick (the same statement), people's tasks when added.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import psycopg
from psycopg import sql

from orchestration.automation.marts import MART_COLUMNS, _stand_in

SQL_DIR = Path(__file__).with_name("sql")
# The marts the score reads, with the columns it needs; a mart without them (no dbt build yet) reads as empty.
PRIORITY_MARTS = {
    "fct_listing_performance_daily": {"listing_id": "uuid", "metric_date": "date",
                                      "ordered_product_sales_gbp": "numeric"},
    "fct_listing_scores": {k: MART_COLUMNS["fct_listing_scores"][k]
                           for k in ("listing_id", "score_date", "total_score")},
    "fct_listing_top_fixes": MART_COLUMNS["fct_listing_top_fixes"],
}


def _mart_refs(conn: psycopg.Connection) -> dict[str, sql.Composable]:
    present = {}
    for table, column in conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'marts' AND table_name = ANY(%s)", (list(PRIORITY_MARTS),)).fetchall():
        present.setdefault(table, set()).add(column)
    return {name: (sql.Identifier("marts", name) if set(cols) <= present.get(name, set()) else _stand_in(name, cols))
            for name, cols in PRIORITY_MARTS.items()}


def score_tasks(conn: psycopg.Connection, task_ids: list[str] | None = None, *, unscored_only: bool = False,
                as_of: dt.datetime | None = None) -> dict[str, float]:
    """(Re)score the given open tasks, default every open task (only those never scored when `unscored_only`);
    returns {task id: priority_score}."""
    as_of = as_of or dt.datetime.now(dt.timezone.utc)
    rows = conn.execute(
        "SELECT id::text, listing_id::text, task_type, due_date FROM workflow.tasks "
        "WHERE completed_at IS NULL AND (%(ids)s::uuid[] IS NULL OR id = ANY(%(ids)s::uuid[])) "
        "AND (NOT %(unscored)s OR priority_score IS NULL)", {"ids": task_ids, "unscored": unscored_only}).fetchall()
    if not rows:
        return {}
    statement = sql.SQL("UPDATE workflow.tasks t SET priority_score = f.priority_score, "
                        "priority_breakdown = f.priority_breakdown FROM ({}) f WHERE t.id = f.id "
                        "RETURNING t.id::text, t.priority_score").format(_select(conn))
    return dict(conn.execute(statement, _params(rows, as_of)).fetchall())


def priorities(conn: psycopg.Connection, tasks: list[tuple[str, str | None, str, dt.date | None]], *,
               as_of: dt.datetime) -> dict[str, tuple]:
    """{key: (priority_score, priority_breakdown)} of tasks not written yet, given as (key uuid, listing id,
    task type, due date): the same score `score_tasks` writes, for the rules engine to insert with the task."""
    if not tasks:
        return {}
    rows = conn.execute(_select(conn), _params(tasks, as_of)).fetchall()
    return {str(r[0]): (r[1], r[2]) for r in rows}


def _select(conn: psycopg.Connection) -> sql.Composed:
    return sql.SQL((SQL_DIR / "priority.sql").read_text()).format(**_mart_refs(conn))


def _params(rows, as_of: dt.datetime) -> dict:
    ids, listings, types, dues = (list(column) for column in zip(*rows))
    return {"task_ids": ids, "task_listing_ids": listings, "task_types": types, "due_dates": dues,
            "listing_ids": sorted({lid for lid in listings if lid}), "as_of": as_of}
