"""`listing-helper rules list|check|dry-run|backtest`: the seller's view of the automation rules."""

from __future__ import annotations

import argparse
import json

from orchestration.automation.rules import RuleError, find_rule, load_rules, validate_rule
from orchestration.cli_types import iso_date


def _connect():
    from orchestration import cli
    from orchestration.db import connection

    return connection.connect(cli._database_url(), autocommit=True)


def cmd_list(args: argparse.Namespace) -> int:
    with _connect() as conn:
        rules = load_rules(conn, active_only=not args.all)
        counts = dict(conn.execute(
            "SELECT rule_id::text, count(*) FROM workflow.rule_executions WHERE NOT dry_run GROUP BY 1").fetchall())
    if not rules:
        print("no rules" + ("" if args.all else " (active); --all shows inactive ones too"))
    for r in rules:
        flags = " [rehearsal]" if r.dry_run else ""
        print(f"{r.name}{flags}\n    when {r.trigger_type} {json.dumps(r.trigger_config)}"
              + (f" and {json.dumps(r.conditions)}" if r.conditions else "")
              + f"\n    then {r.action_type} {json.dumps(r.action_config)}"
              + f"\n    cooldown {r.cooldown_minutes} min per listing, "
              + (f"at most {r.max_daily_triggers} a day" if r.max_daily_triggers else "no daily cap")
              + f", acted {counts.get(r.id, 0)} times")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    with _connect() as conn:
        rule = find_rule(conn, args.rule)
    try:
        validate_rule(rule)
    except RuleError as exc:
        print(f"{rule.name}: INVALID: {exc}")
        return 1
    print(f"{rule.name}: valid")
    return 0


def cmd_dry_run(args: argparse.Namespace) -> int:
    from orchestration.automation.engine import preview_rule

    with _connect() as conn:
        rule = find_rule(conn, args.rule)
        outcome = preview_rule(conn, rule)
    if outcome.skipped:
        print(f"{rule.name}: not evaluated: {outcome.skipped}")
        return 1 if outcome.skipped.startswith("invalid") else 0
    acting = [m for m in outcome.matches if not m.held]
    print(f"{rule.name}: {len(outcome.matches)} listings match, {len(acting)} would be acted on"
          + (f", held back: {dict(outcome.held)}" if outcome.held else "") + " (nothing written)")
    for line in outcome.lines[: args.limit]:
        print(f"  {line}")
    if len(outcome.lines) > args.limit:
        print(f"  ... {len(outcome.lines) - args.limit} more (--limit)")
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    from orchestration.automation.backtest import backtest

    with _connect() as conn:
        rule = find_rule(conn, args.rule)
        days = backtest(conn, rule, args.date_from, args.date_to)
    total = sum(d.would_act for d in days)
    print(f"{rule.name}: would have acted {total} times over {len(days)} days (nothing written)")
    for d in days:
        held = f", held back {d.held}" if d.held else ""
        note = f" ({d.skipped})" if d.skipped else ""
        print(f"  {d.day}: {d.matched} matched, {d.would_act} would act{held}{note}")
        for line in d.lines[: args.limit]:
            print(f"      {line}")
    return 0



def register(subparsers) -> None:
    """Adds `rules` and its verbs to the listing-helper parser (orchestration/cli.py calls this)."""
    rules = subparsers.add_parser("rules", help="automation rules: list, check, dry-run, backtest")
    verbs = rules.add_subparsers(dest="rules_command", required=True)
    listing = verbs.add_parser("list", help="the rules, what triggers them and what they do")
    listing.add_argument("--all", action="store_true", help="include inactive rules")
    listing.set_defaults(func=cmd_list)
    check = verbs.add_parser("check", help="validate a rule's fields, operators and action")
    check.add_argument("rule", help="the rule's name")
    check.set_defaults(func=cmd_check)
    dry = verbs.add_parser("dry-run", help="what the rule would do now, and why; writes nothing")
    dry.add_argument("rule")
    dry.add_argument("--limit", type=int, default=20, help="listings shown (default 20)")
    dry.set_defaults(func=cmd_dry_run)
    back = verbs.add_parser("backtest", help="what the rule would have done each day of a past window")
    back.add_argument("rule")
    back.add_argument("--from", dest="date_from", type=iso_date, required=True)
    back.add_argument("--to", dest="date_to", type=iso_date, required=True)
    back.add_argument("--limit", type=int, default=5, help="listings shown per day (default 5)")
    back.set_defaults(func=cmd_backtest)
