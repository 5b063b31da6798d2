"""Named SQL statements kept in orchestration/spapi/sql/*.sql, loaded once and run with named parameters.

A file holds several statements, each introduced by a line `-- name: <statement>`; text before the
first name is the file's header comment. Parameters are psycopg's `%(name)s`, so a literal percent
sign is written `%%`.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any, Mapping

import psycopg

SQL_DIR = Path(__file__).with_name("sql")
_NAME = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)


@cache
def statements(file: str) -> dict[str, str]:
    text = (SQL_DIR / f"{file}.sql").read_text(encoding="utf-8")
    parts = _NAME.split(text)
    named = dict(zip(parts[1::2], (body.strip().rstrip(";") for body in parts[2::2])))
    if len(named) != len(parts) // 2:
        raise ValueError(f"{file}.sql names a statement twice")
    return named


def run(conn: psycopg.Connection, file: str, name: str, params: Mapping[str, Any] | None = None) -> psycopg.Cursor:
    try:
        query = statements(file)[name]
    except KeyError:
        raise KeyError(f"no statement '{name}' in {SQL_DIR / file}.sql") from None
    return conn.execute(query, params or {})
