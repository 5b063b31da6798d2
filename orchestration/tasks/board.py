"""The task board: add, list, move and complete tasks, each with its audit row.

Stages are the seed's kanban stages (workflow.kanban_stages). Moves go through the stage_id update, so
workflow.task_events records them (the trigger, with the session's listing_helper.actor). A task is completed
with `complete_task` (never moved into a terminal stage directly): it records the outcome and links the task to
the listing change made after the task started (catalog.listing_versions or pricing.price_changes), and the
attribution events of that change to the task.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import psycopg
from psycopg.types.json import Jsonb

from orchestration.tasks.priority import score_tasks

TASK_TYPES = ("optimization", "pricing", "competitive", "compliance", "launch", "other")


class TaskError(ValueError):
    """Bad input to a task command: the message says what and how to fix it."""


@dataclass
class TaskRow:
    id: str
    title: str
    task_type: str
    stage: str
    sku: str | None
    priority_score: float | None
    breakdown: dict | None
    created_by: str
    due_date: dt.date | None
    completed_at: dt.datetime | None
    outcome: str | None
    change_source: str | None
    change_id: str | None

    @property
    def short_id(self) -> str:
        return self.id[:8]

    def line(self) -> str:
        b = self.breakdown or {}
        score = "  -  " if self.priority_score is None else f"{float(self.priority_score):5.1f}"
        why = ""
        if b:
            why = (f" (impact {b.get('impact_score')}: ~GBP {b.get('expected_gain_gbp')} over {b.get('horizon_days')} "
                   f"days, {b.get('uplift_source')}; ease {b.get('ease_score')}; urgency {b.get('urgency_score')})")
        due = f" due {self.due_date}" if self.due_date else ""
        return f"{self.short_id} {score} [{self.stage}] {self.sku or '-'}: {self.title}{due}{why}"


def _actor(conn: psycopg.Connection, actor: str) -> None:
    """Names the actor of the task_events rows this transaction's moves write."""
    conn.execute("SELECT set_config('listing_helper.actor', %s, true)", (actor,))


def _audit(conn: psycopg.Connection, task_id: str, action: str, changes: dict, actor: str) -> None:
    source, _, who = actor.partition(":")
    conn.execute("INSERT INTO system.audit_log (entity_type, entity_id, action, changes, source, source_id) "
                 "VALUES ('task', %s, %s, %s, %s, %s)",
                 (task_id, action, Jsonb(changes), source if who else "user", who or actor))


def resolve_task(conn: psycopg.Connection, ref: str) -> str:
    """A task id from its full id or a unique prefix (as `tasks list` shows it)."""
    ref = ref.strip().lower()
    if not ref or any(c not in "0123456789abcdef-" for c in ref):
        raise TaskError(f"{ref!r} is not a task id (`listing-helper tasks list` shows them)")
    rows = conn.execute("SELECT id::text FROM workflow.tasks WHERE id::text LIKE %s LIMIT 2", (ref + "%",)).fetchall()
    if not rows:
        raise TaskError(f"no task {ref!r} (`listing-helper tasks list` shows them)")
    if len(rows) > 1:
        raise TaskError(f"task id {ref!r} is ambiguous: give more of it")
    return rows[0][0]


def resolve_stage(conn: psycopg.Connection, name: str) -> tuple[str, str, bool]:
    """(id, name, is_terminal) of a stage named case-insensitively, else an error listing the stages."""
    rows = conn.execute("SELECT id::text, name, is_terminal FROM workflow.kanban_stages ORDER BY sort_order").fetchall()
    for row in rows:
        if row[1].lower() == name.strip().lower():
            return row
    raise TaskError(f"no stage {name!r}; stages: {', '.join(r[1] for r in rows)}")


def add_task(conn: psycopg.Connection, sku: str, title: str, *, task_type: str = "optimization",
             description: str | None = None, due_date: dt.date | None = None, actor: str = "user",
             as_of: dt.datetime | None = None) -> str:
    """A person's task on a listing, in the default stage, scored like a rule's; returns its id."""
    if task_type not in TASK_TYPES:
        raise TaskError(f"task type must be one of {', '.join(TASK_TYPES)}, not {task_type!r}")
    if not title or not title.strip() or len(title) > 255:
        raise TaskError("the title must be non-empty text of at most 255 characters")
    with conn.transaction():
        row = conn.execute("SELECT id::text FROM catalog.listings WHERE sku = %s", (sku,)).fetchone()
        if row is None:
            raise TaskError(f"no listing with SKU {sku!r}")
        _actor(conn, actor)
        task_id = conn.execute(
            "INSERT INTO workflow.tasks (title, description, task_type, listing_id, created_by, due_date) "
            "VALUES (%s, %s, %s, %s, 'user', %s) RETURNING id::text",
            (title.strip(), description, task_type, row[0], due_date)).fetchone()[0]
        _audit(conn, task_id, "create", {"title": title.strip(), "sku": sku, "task_type": task_type}, actor)
        score_tasks(conn, [task_id], as_of=as_of)
    return task_id


def move_task(conn: psycopg.Connection, ref: str, stage: str, *, actor: str = "user") -> tuple[str, str]:
    """Move an open task to a non-terminal stage; returns (from stage, to stage)."""
    stage_id, stage_name, terminal = resolve_stage(conn, stage)
    if terminal:
        raise TaskError(f"{stage_name} completes a task: use `listing-helper tasks complete ID --outcome \"...\"`")
    with conn.transaction():
        task_id = resolve_task(conn, ref)
        current, completed = conn.execute(
            "SELECT s.name, t.completed_at FROM workflow.tasks t JOIN workflow.kanban_stages s ON s.id = t.stage_id "
            "WHERE t.id = %s FOR UPDATE OF t", (task_id,)).fetchone()
        if completed is not None:
            raise TaskError(f"task {task_id[:8]} is already complete ({current})")
        if current == stage_name:
            return current, stage_name  # idempotent: nothing moves, no event, no audit row
        _actor(conn, actor)
        conn.execute("UPDATE workflow.tasks SET stage_id = %s, updated_at = now() WHERE id = %s", (stage_id, task_id))
        _audit(conn, task_id, "update", {"stage": {"old": current, "new": stage_name}}, actor)
    return current, stage_name


def started_at(conn: psycopg.Connection, task_id: str) -> dt.datetime:
    """When work on the task started: its first move out of the default stage, else its creation."""
    return conn.execute(
        "SELECT coalesce((SELECT min(e.created_at) FROM workflow.task_events e "
        "                 JOIN workflow.kanban_stages s ON s.id = e.to_stage_id "
        "                 WHERE e.task_id = t.id AND e.from_stage_id IS NOT NULL AND NOT s.is_default), t.created_at) "
        "FROM workflow.tasks t WHERE t.id = %s", (task_id,)).fetchone()[0]


def find_change(conn: psycopg.Connection, listing_id: str, since: dt.datetime,
                until: dt.datetime) -> tuple[str, str, dt.datetime] | None:
    """The first listing change made in [since, until]: a content version or a live price change sent to Amazon."""
    return conn.execute(
        """
        SELECT source, id::text, at FROM (
            SELECT 'listing_version' AS source, v.id, v.created_at AS at FROM catalog.listing_versions v
            WHERE v.listing_id = %(l)s AND v.created_at >= %(since)s AND v.created_at <= %(until)s
            UNION ALL
            SELECT 'price_change', c.id, c.created_at FROM pricing.price_changes c
            WHERE c.listing_id = %(l)s AND NOT c.dry_run AND c.status IN ('submitted', 'accepted')
              AND c.created_at >= %(since)s AND c.created_at <= %(until)s
        ) changes ORDER BY at, source LIMIT 1
        """, {"l": listing_id, "since": since, "until": until}).fetchone()


def complete_task(conn: psycopg.Connection, ref: str, outcome: str, *, actor: str = "user",
                  at: dt.datetime | None = None) -> dict:
    """Complete a task with its outcome and link it to the change it produced; returns what was recorded."""
    if not outcome or not outcome.strip():
        raise TaskError("--outcome needs text: what was done and what happened")
    at = at or dt.datetime.now(dt.timezone.utc)
    with conn.transaction():
        task_id = resolve_task(conn, ref)
        listing_id, completed, stage = conn.execute(
            "SELECT t.listing_id::text, t.completed_at, s.name FROM workflow.tasks t "
            "JOIN workflow.kanban_stages s ON s.id = t.stage_id WHERE t.id = %s FOR UPDATE OF t",
            (task_id,)).fetchone()
        if completed is not None:
            raise TaskError(f"task {task_id[:8]} was already completed on {completed:%Y-%m-%d} ({stage})")
        done_id, done_name = conn.execute(
            "SELECT id::text, name FROM workflow.kanban_stages WHERE is_terminal ORDER BY sort_order LIMIT 1"
        ).fetchone()
        change = find_change(conn, listing_id, started_at(conn, task_id), at) if listing_id else None
        _actor(conn, actor)
        conn.execute(
            "UPDATE workflow.tasks SET stage_id = %s, completed_at = %s, outcome = %s, change_source = %s, "
            "change_id = %s, updated_at = now() WHERE id = %s",
            (done_id, at, outcome.strip(), change[0] if change else None, change[1] if change else None, task_id))
        linked = 0
        if change:
            linked = conn.execute("UPDATE analytics.attribution_events SET task_id = %s "
                                  "WHERE change_id = %s AND listing_id = %s AND task_id IS DISTINCT FROM %s",
                                  (task_id, change[1], listing_id, task_id)).rowcount
        recorded = {"stage": {"old": stage, "new": done_name}, "outcome": outcome.strip(),
                    "change": {"source": change[0], "id": change[1], "at": change[2].isoformat()} if change else None,
                    "attribution_events_linked": linked}
        _audit(conn, task_id, "update", recorded, actor)
    return recorded


def list_tasks(conn: psycopg.Connection, *, stage: str | None = None, sku: str | None = None,
               include_done: bool = False, limit: int | None = None) -> list[TaskRow]:
    """Tasks by priority (highest first, unscored last), open ones unless a stage or include_done says otherwise."""
    where, params = ["TRUE"], []
    if stage is not None:
        where.append("t.stage_id = %s::uuid")
        params.append(resolve_stage(conn, stage)[0])
    elif not include_done:
        where.append("t.completed_at IS NULL")
    if sku is not None:
        if conn.execute("SELECT 1 FROM catalog.listings WHERE sku = %s", (sku,)).fetchone() is None:
            raise TaskError(f"no listing with SKU {sku!r}")
        where.append("l.sku = %s")
        params.append(sku)
    rows = conn.execute(
        f"""SELECT t.id::text, t.title, t.task_type, s.name, l.sku, t.priority_score, t.priority_breakdown,
                   t.created_by, t.due_date, t.completed_at, t.outcome, t.change_source, t.change_id::text
            FROM workflow.tasks t JOIN workflow.kanban_stages s ON s.id = t.stage_id
            LEFT JOIN catalog.listings l ON l.id = t.listing_id
            WHERE {' AND '.join(where)}
            ORDER BY t.priority_score DESC NULLS LAST, t.due_date NULLS LAST, t.created_at, t.id
            {'LIMIT %s' if limit else ''}""", params + ([limit] if limit else [])).fetchall()
    return [TaskRow(*r) for r in rows]


def demo_summary(conn: psycopg.Connection, limit: int = 10) -> list[str]:
    """The closing report's lines: the open tasks by priority, with why each ranks where it does."""
    tasks = list_tasks(conn, limit=limit)
    total = conn.execute("SELECT count(*) FROM workflow.tasks WHERE completed_at IS NULL").fetchone()[0]
    if not tasks:
        return ["Open tasks: none"]
    lines = [f"Open tasks by priority ({len(tasks)} of {total} shown; score 0-100 from impact, ease, urgency):"]
    lines += ["  " + t.line() for t in tasks]
    return lines
