"""The demo's view of automation: evaluate the rules once after the marts are built, then summarise."""

from __future__ import annotations

import psycopg

from orchestration.automation.engine import TickReport, run_tick


def evaluate_rules_once(conn: psycopg.Connection) -> TickReport:
    """One tick of every active rule, acting (price changes are rehearsed unless the seller went live
    and an SP-API client is configured: the demo passes none). Commits each rule's work."""
    return run_tick(conn)


def demo_summary(conn: psycopg.Connection) -> list[str]:
    """Lines for the demo report: what each rule did, the tasks, alerts and price proposals it left."""
    lines = []
    rows = conn.execute(
        """
        SELECT r.name, r.action_type,
               count(e.id) FILTER (WHERE NOT e.dry_run), count(e.id) FILTER (WHERE e.dry_run)
        FROM workflow.automation_rules r LEFT JOIN workflow.rule_executions e ON e.rule_id = r.id
        WHERE r.is_active GROUP BY r.name, r.action_type ORDER BY r.name
        """).fetchall()
    for name, action, live, rehearsed in rows:
        extra = f" ({rehearsed} rehearsed)" if rehearsed else ""
        lines.append(f"{name}: {live} {action} actions{extra}")
    tasks = conn.execute("SELECT title FROM workflow.tasks WHERE created_by = 'rule' ORDER BY created_at, title "
                         "LIMIT 3").fetchall()
    lines += [f"  task: {t}" for (t,) in tasks]
    alerts = conn.execute("SELECT severity, subject FROM workflow.alert_outbox ORDER BY created_at, subject "
                          "LIMIT 3").fetchall()
    lines += [f"  alert ({s}, queued for delivery): {subject}" for s, subject in alerts]
    changes = conn.execute(
        """
        SELECT l.sku, c.old_price, c.new_price, c.floor_price, c.ceiling_price, c.status, c.dry_run
        FROM pricing.price_changes c JOIN catalog.listings l ON l.id = c.listing_id
        WHERE c.requested_by <> 'user' ORDER BY c.created_at, l.sku LIMIT 3
        """).fetchall()
    for sku, old, new, floor, ceiling, status, dry in changes:
        lines.append(f"  price {sku}: {old} -> {new} within [{floor}, {ceiling}], {status}"
                     + (" (dry run: pricing.auto_change.dry_run is on)" if dry else ""))
    return lines
