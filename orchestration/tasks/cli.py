"""`listing-helper tasks list|add|move|complete|rescore`: the seller's task board from the command line."""

from __future__ import annotations

import argparse
import getpass

from orchestration.cli_types import iso_date
from orchestration.tasks import board
from orchestration.tasks.priority import score_tasks


def _connect():
    from orchestration import cli
    from orchestration.db import connection

    return connection.connect(cli._database_url(), autocommit=True)


def _actor() -> str:
    try:
        return f"user:{getpass.getuser()}"
    except (KeyError, OSError):
        return "user"


def _run(fn):
    """Prints a TaskError as a one-line message and exits 1 instead of a traceback."""
    def wrapped(args):
        try:
            return fn(args)
        except board.TaskError as exc:
            print(f"tasks: {exc}")
            return 1
    return wrapped


@_run
def cmd_list(args: argparse.Namespace) -> int:
    with _connect() as conn:
        tasks = board.list_tasks(conn, stage=args.stage, sku=args.sku, include_done=args.all, limit=args.limit)
    if not tasks:
        print("no tasks" + ("" if args.all or args.stage else " open (--all shows completed ones too)"))
    for t in tasks:
        print(t.line())
        if t.completed_at:
            link = f"{t.change_source} {t.change_id[:8]}" if t.change_id else "no listing change found"
            print(f"         completed {t.completed_at:%Y-%m-%d}: {t.outcome} (linked to {link})")
    return 0


@_run
def cmd_add(args: argparse.Namespace) -> int:
    with _connect() as conn:
        task_id = board.add_task(conn, args.sku, args.title, task_type=args.type, description=args.description,
                                 due_date=args.due, actor=_actor())
        task = next(t for t in board.list_tasks(conn, sku=args.sku) if t.id == task_id)
    print(f"added {task.line()}")
    return 0


@_run
def cmd_move(args: argparse.Namespace) -> int:
    with _connect() as conn:
        old, new = board.move_task(conn, args.task, args.stage, actor=_actor())
    print(f"{args.task}: {old} -> {new}" if old != new else f"{args.task}: already in {new}")
    return 0


@_run
def cmd_complete(args: argparse.Namespace) -> int:
    with _connect() as conn:
        done = board.complete_task(conn, args.task, args.outcome, actor=_actor())
    change, events = done["change"], done["attribution_events_linked"]
    link = (f"linked to the {change['source'].replace('_', ' ')} {change['id'][:8]} of {change['at'][:16]}"
            + (f" and {events} attribution event(s)" if events else "")
            if change else "no listing change since the task started (nothing linked)")
    print(f"{args.task}: {done['stage']['old']} -> {done['stage']['new']}; {link}")
    return 0


@_run
def cmd_rescore(args: argparse.Namespace) -> int:
    with _connect() as conn:
        scored = score_tasks(conn)
    print(f"rescored {len(scored)} open tasks")
    return 0



def register(subparsers) -> None:
    """Adds `tasks` and its verbs to the listing-helper parser (orchestration/cli.py calls this)."""
    tasks = subparsers.add_parser("tasks", help="the task board: list, add, move, complete")
    verbs = tasks.add_subparsers(dest="tasks_command", required=True)
    listing = verbs.add_parser("list", help="tasks by priority, open ones unless --all or --stage")
    listing.add_argument("--stage", help="only this stage, e.g. 'In Progress'")
    listing.add_argument("--sku", help="only this listing's tasks")
    listing.add_argument("--all", action="store_true", help="include completed tasks")
    listing.add_argument("--limit", type=int, default=None)
    listing.set_defaults(func=cmd_list)
    add = verbs.add_parser("add", help="a task of yours on a listing, scored like the rules' tasks")
    add.add_argument("sku")
    add.add_argument("title")
    add.add_argument("--type", default="optimization", choices=board.TASK_TYPES)
    add.add_argument("--description")
    add.add_argument("--due", type=iso_date, help="due date, YYYY-MM-DD")
    add.set_defaults(func=cmd_add)
    move = verbs.add_parser("move", help="move a task to another stage (complete finishes it)")
    move.add_argument("task", help="the task id or its first characters")
    move.add_argument("stage", help="e.g. 'In Progress', Review, Monitoring")
    move.set_defaults(func=cmd_move)
    complete = verbs.add_parser("complete", help="finish a task with its outcome; links the listing change it made")
    complete.add_argument("task")
    complete.add_argument("--outcome", required=True, help="what was done and what happened")
    complete.set_defaults(func=cmd_complete)
    verbs.add_parser("rescore", help="recompute the priority of every open task").set_defaults(func=cmd_rescore)
