"""The Keepa token budget shared by every run, kept in system.keepa_token_budget.

Refilled at system.settings 'sync.keepa.tokens_per_minute' up to 'sync.keepa.token_bucket_max'.
A run takes tokens under a row lock before each call (so two runs never spend the same tokens),
and every response's tokensLeft resets the level to Keepa's own count, the authority.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Callable

import psycopg

_SETTINGS = """SELECT (SELECT value FROM system.settings WHERE key = 'sync.keepa.tokens_per_minute'),
                      (SELECT value FROM system.settings WHERE key = 'sync.keepa.token_bucket_max')"""


def _number(value, default: float) -> float:
    if value is None:
        return default
    return float(json.loads(value) if isinstance(value, str) else value)


class TokenBudget:
    """`clock` returns an aware datetime; tests pass a fake one so waiting costs no wall time."""

    def __init__(self, conn: psycopg.Connection, account: str = "default",
                 clock: Callable[[], dt.datetime] | None = None):
        self.conn, self.account = conn, account
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self.taken = 0

    def settings(self) -> tuple[float, float]:
        rate, cap = self.conn.execute(_SETTINGS).fetchone()
        return _number(rate, 21), _number(cap, 1260)

    def _locked_level(self, now: dt.datetime) -> float:
        """Refilled level, with the row locked (call inside a transaction)."""
        rate, cap = self.settings()
        self.conn.execute("INSERT INTO system.keepa_token_budget (account, tokens, refilled_at) VALUES (%s, 0, %s) "
                          "ON CONFLICT (account) DO NOTHING", (self.account, now))
        tokens, at = self.conn.execute("SELECT tokens, refilled_at FROM system.keepa_token_budget "
                                       "WHERE account = %s FOR UPDATE", (self.account,)).fetchone()
        minutes = max(0.0, (now - at).total_seconds() / 60)
        return min(cap, float(tokens) + rate * minutes) if float(tokens) < cap else float(tokens)

    def take(self, unit: int, max_units: int) -> int:
        """Take tokens for as many units (ASINs, calls) as the budget allows, at most max_units; returns that count."""
        now = self.clock()
        with self.conn.transaction():
            level = self._locked_level(now)
            n = max(0, min(max_units, math.floor(level / unit))) if unit > 0 else max_units
            self.conn.execute("UPDATE system.keepa_token_budget SET tokens = %s, refilled_at = %s, "
                              "tokens_taken_total = tokens_taken_total + %s, updated_at = now() WHERE account = %s",
                              (level - n * unit, now, n * unit, self.account))
        self.taken += n * unit
        return n

    def level(self) -> float:
        with self.conn.transaction():
            return self._locked_level(self.clock())

    def seconds_until(self, tokens: float) -> float:
        """How long until `tokens` are available at the configured refill rate."""
        rate, _ = self.settings()
        missing = tokens - self.level()
        return 0.0 if missing <= 0 else missing / rate * 60

    def reconcile(self, envelope: dict) -> None:
        """Keepa's tokensLeft is the truth: set the level to it (other clients of the key spend too)."""
        left = envelope.get("tokensLeft")
        if left is None:
            return
        now = self.clock()
        with self.conn.transaction():
            self._locked_level(now)
            self.conn.execute("UPDATE system.keepa_token_budget SET tokens = %s, refilled_at = %s, "
                              "server_tokens_left = %s, server_seen_at = %s, updated_at = now() WHERE account = %s",
                              (min(int(left), self.settings()[1]), now, int(left), now, self.account))
