"""Listing content and its versions: read the live content, record a new version, diff two contents.

Every content change this package pushes becomes a catalog.listing_versions row (the next number, the same
content hash the sync computes, so the next sync sees no change) and updates catalog.listings, with an
audit row. A listing changed for the first time gets its current content recorded first (change_type
'sync', "content before the first change from Listing Helper"), so the change can always be rolled back.
"""

from __future__ import annotations

import difflib

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from orchestration.content.checks import CONTENT_FIELDS

_LISTING_COLUMNS = ("l.id::text AS listing_id, l.sku, l.asin, l.marketplace_id, l.title, l.bullet_points, "
                    "l.description, l.search_terms, l.brand, l.manufacturer, l.model_number, l.part_number, "
                    "l.custom_category, l.product_group, l.category_path, l.current_score")


class ContentError(ValueError):
    pass


def listings(conn: psycopg.Connection, listing_ids: list[str]) -> dict[str, dict]:
    """{listing id: listing row} in one query."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(f"SELECT {_LISTING_COLUMNS} FROM catalog.listings l WHERE l.id = ANY(%s::uuid[])",
                           (listing_ids,)).fetchall()
    return {r["listing_id"]: r for r in rows}


def listing_by_sku(conn: psycopg.Connection, sku: str, marketplace_id: str | None = None) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(f"SELECT {_LISTING_COLUMNS} FROM catalog.listings l WHERE l.sku = %s "
                           "AND (%s::text IS NULL OR l.marketplace_id = %s) ORDER BY l.marketplace_id",
                           (sku, marketplace_id, marketplace_id)).fetchall()
    if not rows:
        raise ContentError(f"no listing with SKU {sku!r}")
    if len(rows) > 1:
        raise ContentError(f"SKU {sku!r} is listed in several marketplaces; name one with --marketplace")
    return rows[0]


def content_of(row: dict) -> dict:
    return {f: row.get(f) for f in CONTENT_FIELDS}


def changed_fields(old: dict, new: dict) -> list[str]:
    """The content fields `new` sets to something other than `old` (fields absent from `new` are kept)."""
    return [f for f in CONTENT_FIELDS if f in new and (new[f] or None) != (old.get(f) or None)]


def versions(conn: psycopg.Connection, listing_id: str) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "SELECT version_number, title, bullet_points, description, search_terms, change_type, change_source, "
            "change_reason, rollback_of_version, created_at FROM catalog.listing_versions WHERE listing_id = %s "
            "ORDER BY version_number", (listing_id,)).fetchall()


def version(conn: psycopg.Connection, listing_id: str, number: int) -> dict:
    found = [v for v in versions(conn, listing_id) if v["version_number"] == number]
    if not found:
        known = [v["version_number"] for v in versions(conn, listing_id)]
        raise ContentError(f"version {number} does not exist; versions: {', '.join(map(str, known)) or 'none'}")
    return found[0]


_INSERT_VERSION = """
INSERT INTO catalog.listing_versions (listing_id, version_number, title, bullet_points, description, search_terms,
                                      content_hash, change_type, change_source, change_reason, rollback_of_version,
                                      score_at_change)
SELECT l.id, coalesce((SELECT max(v.version_number) FROM catalog.listing_versions v WHERE v.listing_id = l.id), 0) + 1,
       c.title, c.bullet_points, c.description, c.search_terms,
       encode(sha256(convert_to(jsonb_build_array(c.title, c.bullet_points, c.description, c.search_terms)::text,
                                'UTF8')), 'hex'),
       %(change_type)s, %(source)s, %(reason)s, %(rollback_of)s, l.current_score
FROM catalog.listings l
CROSS JOIN LATERAL (SELECT %(title)s::text AS title, %(bullet_points)s::text[] AS bullet_points,
                           %(description)s::text AS description, %(search_terms)s::text[] AS search_terms) c
WHERE l.id = %(listing)s
RETURNING version_number
"""


def record_version(conn: psycopg.Connection, listing: dict, new: dict, *, change_type: str, source: str,
                   reason: str, rollback_of: int | None = None, audit_source: str = "automation") -> int:
    """After Amazon accepted `new` (some content fields): the listing's next version; returns its number."""
    old = content_of(listing)
    content = {**old, **new}
    with conn.transaction():
        conn.execute("SELECT 1 FROM catalog.listings WHERE id = %s FOR UPDATE", (listing["listing_id"],))
        has_versions = conn.execute("SELECT EXISTS (SELECT 1 FROM catalog.listing_versions WHERE listing_id = %s)",
                                    (listing["listing_id"],)).fetchone()[0]
        if not has_versions:
            conn.execute(_INSERT_VERSION, {"listing": listing["listing_id"], "change_type": "sync",
                                           "source": "listing_helper", "rollback_of": None,
                                           "reason": "content before the first change from Listing Helper", **old})
        number = conn.execute(_INSERT_VERSION, {"listing": listing["listing_id"], "change_type": change_type,
                                                "source": source, "reason": reason, "rollback_of": rollback_of,
                                                **content}).fetchone()[0]
        conn.execute("UPDATE catalog.listings SET title = %s, bullet_points = %s, description = %s, search_terms = %s, "
                     "updated_at = now() WHERE id = %s",
                     (content["title"], content["bullet_points"], content["description"], content["search_terms"],
                      listing["listing_id"]))
        changes = {f: {"old": old[f], "new": content[f]} for f in changed_fields(old, new)}
        conn.execute("INSERT INTO system.audit_log (entity_type, entity_id, action, changes, source, source_id) "
                     "VALUES ('listing', %s, 'update', %s, %s, %s)",
                     (listing["listing_id"], Jsonb({**changes, "version": number, "change_type": change_type}),
                      audit_source, source))
    return number


def _lines(field: str, value) -> list[str]:
    if value is None:
        return []
    if field in ("bullet_points", "search_terms"):
        return [str(v) for v in value]
    return [str(value)]


def diff(old: dict, new: dict, old_label: str = "now", new_label: str = "new") -> list[str]:
    """A readable unified diff per changed field; [] when nothing changes."""
    out = []
    for field in changed_fields(old, new):
        lines = list(difflib.unified_diff(_lines(field, old.get(field)), _lines(field, new.get(field)),
                                          f"{field} ({old_label})", f"{field} ({new_label})", lineterm="", n=1))
        out.extend(lines)
    return out
