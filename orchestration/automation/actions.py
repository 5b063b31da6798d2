"""The actions of automation rules, each one data-modifying statement per rule (price changes aside).

The statement claims the (rule, listing, window) rows in workflow.rule_executions (sql/claim_windows.sql,
ON CONFLICT DO NOTHING), then acts for exactly the rows it claimed (sql/act_<action>.sql: a task, an
alert_outbox row, a tag), writes system.audit_log and bumps the rule's trigger_count (count_triggers.sql).
A rehearsal only claims, with dry_run rows under a 'dry:' window. update_price goes through the guarded
pricing path (orchestration.automation.pricing), which calls the Listings Items API per live change.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from psycopg.types.json import Jsonb

from orchestration.automation import pricing
from orchestration.automation.marts import sql_file
from orchestration.automation.rules import Rule, render

if TYPE_CHECKING:
    from orchestration.automation.engine import Engine, Match, RuleOutcome


def act(engine: "Engine", rule: Rule, outcome: "RuleOutcome", rehearsal: bool) -> None:
    """Perform (or rehearse) the rule's action for its matches that nothing holds back: one statement."""
    todo = [m for m in outcome.matches if not m.held]
    if not todo:
        return
    if rule.action_type == "update_price":
        update_price(engine, rule, outcome, todo, rehearsal)
        return
    if rule.action_type == "apply_template":
        from orchestration.content.apply import apply_template  # content templates: orchestration/content/

        apply_template(engine, rule, outcome, todo, rehearsal)
        return
    prefix = "dry:" if rehearsal else ""
    cfg = rule.action_config
    texts = [render(cfg.get("title_template") or cfg.get("message") or cfg.get("tag", ""), m.facts) for m in todo]
    whys = [Jsonb({"why": m.why(rule), "trigger": m.trigger, "facts": {k: jsonable(v) for k, v in m.facts.items()},
                   **({"description": render(cfg["description"], m.facts)} if cfg.get("description") else {})})
            for m in todo]
    params = {"rule": rule.id, "run": engine.run_id, "dry": rehearsal, "action": rule.action_type, "at": engine.as_of,
              "listing": [m.listing_id for m in todo], "window": [prefix + m.window_key for m in todo],
              "text": texts, "why": whys}
    if rehearsal:
        statement, label = _CLAIM_ONLY, "rehearse (one per acting rule)"
    else:
        statement, label = _ACTIONS[rule.action_type], f"act {rule.action_type} (one per acting rule)"
        params.update(task_type=cfg.get("task_type", "optimization"), severity=cfg.get("severity", "medium"),
                      channel=cfg.get("channel", "email"), destination=cfg.get("destination", "default"),
                      tag=cfg.get("tag"))
        params["actor"] = f"rule:{rule.id}"
    claimed = engine._run(label, statement, params).fetchone()[0]
    outcome.acted = claimed
    verb = "would " if rehearsal else ""
    for m, text in zip(todo, texts):
        outcome.lines.append(f"{m.facts.get('listing.sku')}: {verb}{describe(rule, text)} because {m.why(rule)}")


def update_price(engine: "Engine", rule: Rule, outcome: "RuleOutcome", todo: list, rehearsal: bool) -> None:
    """Claim the windows, decide guarded prices for the claimed listings, record them, push live ones."""
    rehearse_price = rehearsal
    prefix = "dry:" if rehearse_price else ""
    claimed = {r[0] for r in engine._run(
        "claim price windows", "INSERT INTO workflow.rule_executions (rule_id, entity_type, entity_id, window_key, "
        "action, dry_run, status, dagster_run_id, created_at) SELECT %s, 'listing', l, w, 'update_price', %s, "
        "'pending', %s, %s FROM unnest(%s::uuid[], %s::text[]) AS x(l, w) ON CONFLICT (rule_id, entity_id, window_key) DO NOTHING "
        "RETURNING entity_id::text",
        (rule.id, rehearse_price, engine.run_id, engine.as_of, [m.listing_id for m in todo],
         [prefix + m.window_key for m in todo])).fetchall()}
    started = time.perf_counter()
    decisions = pricing.decide_prices(engine.conn, sorted(claimed), as_of=engine.as_of, dry_run=rehearse_price,
                                      change=rule.action_config)
    label = "price inputs, rules, settings (3-4 queries per pricing rule)"
    engine.report.queries[label] += 1
    engine.report.query_seconds[label] += time.perf_counter() - started
    ids = pricing.record_decisions(engine.conn, decisions, dry_run=rehearse_price, automation_rule_id=rule.id,
                                   at=engine.as_of)
    statuses = {}
    if not rehearse_price:
        statuses = pricing.submit_price_changes(engine.conn, list(ids.values()), engine.price_submitter)
    by_listing = {d.listing_id: d for d in decisions}
    matched = {m.listing_id: m for m in todo}
    results = []
    for listing_id in sorted(claimed):
        d = by_listing.get(listing_id)
        change_id = ids.get(listing_id)
        result = {"status": d.status if d else "no price rule applies",
                  "old_price": str(d.old_price) if d else None,
                  "new_price": str(d.new_price) if d and d.new_price is not None else None,
                  "floor": str(d.floor) if d else None, "ceiling": str(d.ceiling) if d else None,
                  "reason": d.reason if d else None, "price_change_id": change_id,
                  "submission": statuses.get(change_id), "why": matched[listing_id].why(rule)}
        results.append((listing_id, prefix + matched[listing_id].window_key, Jsonb(result)))
        verb = "would propose" if rehearse_price else "proposed"
        outcome.lines.append(f"{matched[listing_id].facts.get('listing.sku')}: {verb} "
                             f"{result['new_price'] or 'no change'} ({result['status']}: {result['reason']})")
    if results:
        engine._run("record price outcomes (one per pricing rule)",
                  "UPDATE workflow.rule_executions e SET status = 'succeeded', outcome = x.outcome, finished_at = now() "
                  "FROM unnest(%s::uuid[], %s::text[], %s::jsonb[]) AS x(listing_id, window_key, outcome) "
                  "WHERE e.rule_id = %s AND e.entity_id = x.listing_id AND e.window_key = x.window_key",
                  ([r[0] for r in results], [r[1] for r in results], [r[2] for r in results], rule.id))
    if claimed and not rehearsal:
        engine._run("rule counters", "UPDATE workflow.automation_rules SET last_triggered_at = now(), "
                  "trigger_count = trigger_count + %s WHERE id = %s", (len(claimed), rule.id))
    outcome.acted = len(claimed)


def preview_lines(engine: "Engine", rule: Rule, outcome: "RuleOutcome") -> list[str]:
    """What the rule would do to each match and why; for a price, the guarded decision itself (read only)."""
    decisions = {}
    if rule.action_type == "update_price":
        acting = [m.listing_id for m in outcome.matches if not m.held]
        decisions = {d.listing_id: d for d in pricing.decide_prices(
            engine.conn, acting, as_of=engine.as_of, dry_run=engine._rehearses(rule), change=rule.action_config)}
    lines = []
    for m in outcome.matches:
        if m.held:
            what = f"held back ({m.held})"
        elif m.listing_id in decisions:
            d = decisions[m.listing_id]
            what = (f"would {'propose ' + str(d.new_price) if d.new_price is not None else 'leave the price'} "
                    f"({d.status}: {d.reason}; floor {d.floor}, ceiling {d.ceiling}, step {d.max_step_pct}%)")
        elif rule.action_type == "update_price":
            what = "would leave the price (no price rule proposes one)"
        else:
            what = f"would {describe(rule, action_text(rule, m))}"
        lines.append(f"{m.facts.get('listing.sku')}: {what} because {m.why(rule)}")
    return lines


def action_text(rule: Rule, m: "Match") -> str:
    cfg = rule.action_config
    return render(cfg.get("title_template") or cfg.get("message") or cfg.get("tag") or "", m.facts)


def describe(rule: Rule, text: str) -> str:
    cfg = rule.action_config
    return {"create_task": f"create task '{text}'",
            "send_alert": f"send a {cfg.get('severity', 'medium')} {cfg.get('channel', 'email')} alert '{text}'",
            "tag_listing": f"tag the listing '{cfg.get('tag')}'",
            "update_price": "propose a price within the guard rails",
            "apply_template": f"propose content from template '{cfg.get('template')}'"}.get(rule.action_type,
                                                                                           rule.action_type)


def jsonable(v):
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    return str(v)


def _statement(*parts: str) -> str:
    return "".join(sql_file(p).rstrip("\n") + "\n" for p in parts)


# One statement per action: claim the rows, act for exactly the rows claimed, audit, count the triggers.
_CLAIM_ONLY = _statement("claim_windows", "count_claimed")
_ACTIONS = {action: _statement("claim_windows", f"act_{action}", "count_triggers")
            for action in ("create_task", "send_alert", "tag_listing")}
