"""The batched tick: the SQL actions of every rule of a tick in one statement per (action, rehearsal).

The per-rule path (orchestration.automation.actions.act) runs one data-modifying statement per acting rule;
a thousand rules, a thousand statements. Here the matches of all rules acting with create_task, send_alert or
tag_listing are sent as arrays with their rule per row, and batch_claim.sql + batch_act_<action>.sql claim and
act for exactly the rows claimed: the same rule_executions, tasks, outbox rows, tags, audit rows and
trigger_count as the per-rule path (tests/automation/test_batched_tick.py compares the two). Price changes and
any other action keep the per-rule path. If a batch fails, the engine falls back to the per-rule path for its
rules, so one broken rule still fails alone.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from typing import TYPE_CHECKING

from psycopg.types.json import Jsonb

from orchestration.automation.actions import describe, jsonable
from orchestration.automation.marts import sql_file
from orchestration.automation.rules import Rule, render
from orchestration.tasks.priority import priorities

if TYPE_CHECKING:
    from orchestration.automation.engine import Engine, RuleOutcome

BATCHED_ACTIONS = ("create_task", "send_alert", "tag_listing")


def _statement(*parts: str) -> str:
    return "".join(sql_file(p).rstrip("\n") + "\n" for p in parts)


_CLAIM_ONLY = _statement("batch_claim", "batch_count_claimed")
_ACTIONS = {action: _statement("batch_claim", f"batch_act_{action}", "batch_count") for action in BATCHED_ACTIONS}


def _score(engine: "Engine", columns: dict) -> None:
    """The priority of each task about to be created, by (listing, task type): one scoring query for the batch."""
    pairs = sorted(set(zip(columns["listing"], columns["task_type"])))
    keys = {pair: str(uuid.uuid4()) for pair in pairs}
    started = time.perf_counter()
    scored = priorities(engine.conn, [(keys[p], p[0], p[1], None) for p in pairs], as_of=engine.as_of)
    label = "score the new tasks (one per tick)"
    engine.report.queries[label] += 2
    engine.report.query_seconds[label] += time.perf_counter() - started
    found = [scored.get(keys[pair], (None, None)) for pair in zip(columns["listing"], columns["task_type"])]
    columns["priority"] = [f[0] for f in found]
    columns["priority_breakdown"] = [Jsonb(f[1]) if f[1] is not None else None for f in found]


def batchable(rule: Rule) -> bool:
    return rule.action_type in BATCHED_ACTIONS


def act_batch(engine: "Engine", items: list[tuple[int, Rule, "RuleOutcome", bool]]) -> None:
    """Act for (ordinal, rule, outcome, rehearsal) items: one statement per (action type, rehearsal)."""
    groups: dict[tuple[str, bool], list] = defaultdict(list)
    for item in items:
        groups[(item[1].action_type, item[3])].append(item)
    outcomes = {rule.id: outcome for _, rule, outcome, _ in items}
    for (action, rehearsal), group in groups.items():
        columns = defaultdict(list)
        pending = []
        for ordinal, rule, outcome, _ in group:
            todo = [m for m in outcome.matches if not m.held]
            if not todo:
                continue
            cfg = rule.action_config
            prefix = "dry:" if rehearsal else ""
            template = cfg.get("title_template") or cfg.get("message") or cfg.get("tag", "")
            for m in todo:
                text = render(template, m.facts) if "{" in template else template
                why = m.why(rule)
                columns["rule"].append(rule.id)
                columns["ordinal"].append(ordinal)
                columns["listing"].append(m.listing_id)
                columns["window"].append(prefix + m.window_key)
                columns["text"].append(text)
                columns["why"].append(Jsonb({
                    "why": why, "trigger": m.trigger, "facts": {k: jsonable(v) for k, v in m.facts.items()},
                    **({"description": render(cfg["description"], m.facts)} if cfg.get("description") else {})}))
                columns["task_type"].append(cfg.get("task_type", "optimization"))
                columns["severity"].append(cfg.get("severity", "medium"))
                columns["channel"].append(cfg.get("channel", "email"))
                columns["destination"].append(cfg.get("destination", "default"))
                columns["tag"].append(cfg.get("tag"))
                pending.append((rule, m, text, why))
        if not pending:
            continue
        if action == "create_task" and not rehearsal:
            _score(engine, columns)
        else:
            columns["priority"] = columns["priority_breakdown"] = [None] * len(pending)
        params = {**columns, "dry": rehearsal, "action": action, "at": engine.as_of, "run": engine.run_id}
        if rehearsal:
            statement, label = _CLAIM_ONLY, "rehearse (one per tick and action)"
        else:
            statement, label = _ACTIONS[action], f"act {action} (one per tick)"
        claimed = dict(engine._run(label, statement, params).fetchall())
        verb = "would " if rehearsal else ""
        for rule, m, text, why in pending:
            outcome = outcomes[rule.id]
            outcome.lines.append(f"{m.facts.get('listing.sku')}: {verb}{describe(rule, text)} because {why}")
        for _, rule, outcome, _ in group:
            outcome.acted = claimed.get(rule.id, 0)
