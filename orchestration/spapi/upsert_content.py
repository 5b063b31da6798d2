"""Catalog Items payloads -> listing content, one version per content change, images, audit rows."""

from __future__ import annotations

import psycopg

from orchestration.spapi.catalog_payload import CatalogContent, read_catalog_item
from orchestration.spapi.sqlfiles import run
from orchestration.spapi.upsert_common import audit_partitions, default_marketplace

_CONTENT_COLUMNS = ["asin", "marketplace_id", "response_id", "has_content", "title", "bullet_points", "description",
                    "search_terms", "has_brand", "brand", "manufacturer", "model_number", "part_number",
                    "has_category", "category_id", "category_path", "browse_node_id", "has_variation",
                    "parent_asin", "variation_type", "variation_theme", "has_images"]
_IMAGE_COLUMNS = ["asin", "marketplace_id", "image_type", "url", "url_thumb", "width", "height", "sort_order"]


def _marketplace(request_params, default: str) -> str:
    ids = (request_params or {}).get("marketplaceIds") or (request_params or {}).get("marketplace_ids")
    if isinstance(ids, str):
        ids = [part.strip() for part in ids.split(",")]
    return ids[0] if ids else default


def _read_payloads(conn: psycopg.Connection, run_id: str | None) -> tuple[list[tuple], list[tuple], int]:
    """Rows for content_in and images_in; payloads with a bad value are quarantined and skipped whole."""
    fallback = default_marketplace(conn)
    content_rows, image_rows, rejected = [], [], 0
    for response_id, asin, params, payload in run(conn, "content", "latest_payloads").fetchall():
        content: CatalogContent = read_catalog_item(payload, asin, _marketplace(params, fallback))
        if content.problems:
            rejected += 1
            for field, value, reason in content.problems:
                run(conn, "content", "quarantine", {"response_id": str(response_id), "field": field, "value": value,
                                                    "reason": reason, "asin": asin, "run_id": run_id})
            continue
        row = {**vars(content), "response_id": response_id, "has_images": content.images is not None}
        content_rows.append(tuple(row[c] for c in _CONTENT_COLUMNS))
        for image in content.images or []:
            image_rows.append((asin, content.marketplace_id, image.image_type, image.url, image.url_thumb,
                               image.width, image.height, image.sort_order))
    return content_rows, image_rows, rejected


def _copy(conn: psycopg.Connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    with conn.cursor() as cur, cur.copy(f"copy {table} ({', '.join(columns)}) from stdin") as copy:
        for row in rows:
            copy.write_row(row)


def upsert_catalog_content(conn: psycopg.Connection, run_id: str | None = None) -> dict[str, int]:
    """Apply the newest Catalog Items payload of every ASIN we sell to each listing carrying that ASIN.

    Re-running with the same payloads changes nothing: values are compared before they are
    written and a version is added only when title, bullets, description or search terms differ
    from the listing's latest version.
    """
    with conn.transaction():
        audit_partitions(conn)
        run(conn, "content", "create_content_in")
        run(conn, "content", "create_images_in")
        content_rows, image_rows, rejected = _read_payloads(conn, run_id)
        _copy(conn, "content_in", _CONTENT_COLUMNS, content_rows)
        _copy(conn, "images_in", _IMAGE_COLUMNS, image_rows)
        run(conn, "content", "stage")
        cur = run(conn, "content", "counts")
        counts = dict(zip([c.name for c in cur.description], cur.fetchone()))
        run(conn, "content", "versions")
        run(conn, "content", "update_listings")
        run(conn, "content", "audit", {"run_id": run_id})
        run(conn, "content", "drop_images")
        run(conn, "content", "upsert_images")
        return {"payloads": len(content_rows) + rejected, "payloads_quarantined": rejected, **counts}
