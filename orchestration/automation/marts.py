"""The dbt marts the rules read, by name, with empty stand-ins before the first dbt build.

Columns and types follow the marts' contracts (dbt_project/models/marts/**/_*__models.yml); only the
columns the engine reads are listed. A fresh install (no dbt build yet) evaluates rules against empty
stand-ins instead of failing, and the facts say NULL.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import psycopg
from psycopg import sql

SQL_DIR = Path(__file__).with_name("sql")

MART_COLUMNS: dict[str, dict[str, str]] = {
    "fct_listing_scores": {"listing_id": "uuid", "score_date": "date", "total_score": "numeric",
                           "seo_score": "numeric", "content_score": "numeric", "image_score": "numeric",
                           "competitive_score": "numeric", "compliance_score": "numeric"},
    "fct_listing_top_fixes": {"listing_id": "uuid", "fix": "text", "points_gained": "numeric",
                              "listing_fix_rank": "bigint"},
    "fct_listing_performance_daily": {"listing_id": "uuid", "metric_date": "date", "was_reported": "boolean",
                                      "sessions": "integer", "units_ordered": "integer", "buy_box_pct": "numeric"},
    "fct_listing_margins": {"listing_id": "uuid", "net_margin_pct": "numeric", "margin_floor_pct": "numeric",
                            "meets_margin_floor": "boolean", "floor_price_gbp": "numeric",
                            "margin_is_complete": "boolean"},
    "fct_listing_competitor_threat": {"listing_id": "uuid", "rival_asin": "varchar", "rival_price_gbp": "numeric",
                                      "rival_is_out_of_stock": "boolean", "undercut_pct": "numeric",
                                      "top_threat_score": "numeric", "top_threat_reason": "text"},
    "fct_listing_price_points": {"listing_id": "uuid", "candidate_price_gbp": "numeric", "net_margin_pct": "numeric"},
}


def mart_refs(conn: psycopg.Connection) -> dict[str, sql.Composable]:
    """{mart name: marts.<name>, or an empty typed stand-in when dbt has not built it yet}."""
    present = {name for (name,) in conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' AND table_name = ANY(%s)",
        (list(MART_COLUMNS),)).fetchall()}
    refs = {}
    for name, columns in MART_COLUMNS.items():
        refs[name] = sql.Identifier("marts", name) if name in present else _stand_in(name, columns)
    # Forecasting's reorder suggestions: a table of the schema (migration 0220), not a dbt mart.
    refs["reorder_suggestions"] = sql.Identifier("inventory", "reorder_suggestions")
    return refs


def _stand_in(name: str, columns: dict[str, str]) -> sql.Composable:
    cols = sql.SQL(", ").join(sql.SQL("NULL::{} AS {}").format(sql.SQL(t), sql.Identifier(c)) for c, t in columns.items())
    return sql.SQL("(SELECT {} WHERE FALSE)").format(cols)  # the .sql files alias every mart they read


@lru_cache(maxsize=None)
def sql_file(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()


def query(conn: psycopg.Connection, name: str) -> sql.Composed:
    """The named .sql file with its {mart} placeholders filled."""
    return sql.SQL(sql_file(name)).format(**mart_refs(conn))
