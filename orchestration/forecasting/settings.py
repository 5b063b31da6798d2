"""Reading the forecasting and price-suggestion settings from system.settings (JSON values, defaults in 0220)."""

from __future__ import annotations

import psycopg


def read(conn: psycopg.Connection, key: str, default):
    row = conn.execute("SELECT value FROM system.settings WHERE key = %s", (key,)).fetchone()
    return default if row is None or row[0] is None else row[0]


def read_number(conn: psycopg.Connection, key: str, default: float, minimum: float = 0) -> float:
    value = read(conn, key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise ValueError(f"system.settings key {key!r} must be a number >= {minimum:g}, not {value!r}")
    return float(value)


def read_text(conn: psycopg.Connection, key: str, default: str) -> str:
    value = read(conn, key, default)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"system.settings key {key!r} must be a text value such as {default!r}, not {value!r}")
    return value
