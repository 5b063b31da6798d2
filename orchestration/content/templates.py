"""Content templates (catalog.content_templates): load one, fill its {placeholders} from a listing's fields.

A template holds any of `title`, `bullet_points` (list), `description`, `search_terms` (list); only the
fields it holds are changed. Placeholders name listing fields (PLACEHOLDERS); a placeholder the listing has
no value for makes the template not applicable to that listing (never "n/a" in a title). Search terms are
joined into one space-separated value, as Amazon's generic_keyword holds and the sync reads them back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import psycopg

from orchestration.content.checks import CONTENT_FIELDS

PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")
PLACEHOLDERS = {
    "sku": "the SKU", "asin": "the ASIN", "title": "the current title", "brand": "brand",
    "manufacturer": "manufacturer", "model_number": "model number", "part_number": "part number",
    "custom_category": "your own category", "product_group": "product group",
    "category": "the last step of Amazon's category path (e.g. Drills)",
}
LIST_FIELDS = ("bullet_points", "search_terms")


class TemplateError(ValueError):
    """A template that cannot be used (unknown, inactive, malformed) or does not fit a listing."""


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    fields: dict
    is_active: bool
    description: str | None = None


def validate_fields(name: str, fields) -> None:
    """Refuse a template whose fields are not the four content fields with text (lists for bullets, terms)."""
    if not isinstance(fields, dict) or not fields:
        raise TemplateError(f"template {name!r}: fields must be an object with any of {', '.join(CONTENT_FIELDS)}")
    for key, value in fields.items():
        if key not in CONTENT_FIELDS:
            raise TemplateError(f"template {name!r}: unknown field {key!r}; known: {', '.join(CONTENT_FIELDS)}")
        texts = value if key in LIST_FIELDS else [value]
        if key in LIST_FIELDS and not isinstance(value, list):
            raise TemplateError(f"template {name!r}: {key} must be a list of texts")
        for i, text in enumerate(texts):
            where = f"{key}[{i}]" if key in LIST_FIELDS else key
            if not isinstance(text, str) or not text.strip():
                raise TemplateError(f"template {name!r}: {where} must be non-empty text")
            for placeholder in PLACEHOLDER.findall(text):
                if placeholder not in PLACEHOLDERS:
                    raise TemplateError(f"template {name!r}: {where} names unknown field {{{placeholder}}}; "
                                        f"known: {', '.join(sorted(PLACEHOLDERS))}")


def load_templates(conn: psycopg.Connection, names: list[str] | None = None) -> list[Template]:
    rows = conn.execute("SELECT id::text, name, fields, is_active, description FROM catalog.content_templates "
                        "WHERE %s::text[] IS NULL OR name = ANY(%s::text[]) ORDER BY name", (names, names)).fetchall()
    return [Template(*r) for r in rows]


def find_template(conn: psycopg.Connection, name: str) -> Template:
    found = load_templates(conn, [name])
    if not found:
        raise TemplateError(f"no content template named {name!r} (listing-helper templates list shows them)")
    template = found[0]
    validate_fields(template.name, template.fields)
    return template


def save_template(conn: psycopg.Connection, name: str, fields: dict, description: str | None = None,
                  is_active: bool = True) -> str:
    from psycopg.types.json import Jsonb

    validate_fields(name, fields)
    return conn.execute(
        "INSERT INTO catalog.content_templates (name, description, fields, is_active) VALUES (%s, %s, %s, %s) "
        "ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description, fields = EXCLUDED.fields, "
        "is_active = EXCLUDED.is_active, updated_at = now() RETURNING id::text",
        (name, description, Jsonb(fields), is_active)).fetchone()[0]


def listing_values(row: dict) -> dict:
    """The placeholder values of one listing row (catalog.listings columns)."""
    path = row.get("category_path") or []
    values = {k: row.get(k) for k in PLACEHOLDERS if k != "category"}
    values["category"] = path[-1] if path else None
    return {k: (str(v).strip() if v is not None and str(v).strip() else None) for k, v in values.items()}


def _fill(text: str, values: dict, where: str, missing: set) -> str:
    def value(m):
        v = values.get(m.group(1))
        if v is None:
            missing.add(f"{{{m.group(1)}}} ({where})")
            return ""
        return v
    return re.sub(r"\s+", " ", PLACEHOLDER.sub(value, text)).strip()


def render(template: Template, listing: dict) -> dict:
    """The content the template gives this listing: {field: value} for the template's fields only."""
    values = listing_values(listing)
    missing: set = set()
    out = {}
    for key, spec in template.fields.items():
        if key == "bullet_points":
            out[key] = [_fill(t, values, f"bullet {i}", missing) for i, t in enumerate(spec, start=1)]
        elif key == "search_terms":
            terms = [_fill(t, values, "search terms", missing) for t in spec]
            out[key] = [" ".join(t for t in terms if t)]
        else:
            out[key] = _fill(spec, values, key, missing)
    if missing:
        raise TemplateError(f"template {template.name!r} needs {', '.join(sorted(missing))}, which "
                            f"{listing.get('sku')} has no value for")
    return out
