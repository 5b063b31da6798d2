"""Backtest: what a rule would have done on each day of a past window, replaying cooldowns and caps.

Each day is evaluated as of its end (23:59:59 UTC) with that day's facts: scores and performance from
the marts' daily rows, prices from pricing.price_history, stock from inventory.stock_history, events
(alerts, syncs, completed tasks) of that day. Margins and competitor marts keep no history, so a backtest
sees them as of the last dbt build; price rules are not replayed (a price rule's proposal is reported, not
its price). Nothing is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import psycopg

from orchestration.automation.engine import Engine
from orchestration.automation.rules import Rule, RuleError


@dataclass
class BacktestDay:
    day: dt.date
    matched: int
    would_act: int
    held: dict
    lines: list[str] = field(default_factory=list)
    skipped: str | None = None


def backtest(conn: psycopg.Connection, rule: Rule, first: dt.date, last: dt.date) -> list[BacktestDay]:
    if last < first:
        raise RuleError(f"--to {last} is before --from {first}")
    limit = conn.execute("SELECT coalesce((SELECT (value #>> '{}')::int FROM system.settings "
                         "WHERE key = 'automation.backtest_max_days'), 366)").fetchone()[0]
    if (last - first).days + 1 > limit:
        raise RuleError(f"backtest window of {(last - first).days + 1} days is longer than "
                        f"automation.backtest_max_days ({limit})")
    ledger: dict = {}
    days = []
    today = dt.datetime.now(dt.timezone.utc).date()
    day = first
    while day <= last:
        as_of = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=dt.timezone.utc)
        engine = Engine(conn, as_of=as_of, live_facts=day >= today)
        engine.simulated_ledger = ledger
        engine.build_facts()
        try:
            outcome = engine.evaluate(rule, rehearsal=False,
                                      since=dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc))
        finally:
            engine.drop_facts()
        acting = [m for m in outcome.matches if not m.held]
        result = BacktestDay(day, len(outcome.matches), len(acting), dict(outcome.held), skipped=outcome.skipped)
        result.lines = [f"{m.facts.get('listing.sku')}: {m.why(rule)}" for m in acting]
        days.append(result)
        day += dt.timedelta(days=1)
    return days
