"""Read one Catalog Items (2022-04-01) payload into the listing content we store; missing stays None."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

# Column widths of catalog.listings: a longer value is reported, not cut.
_WIDTHS = {"brand": 255, "manufacturer": 255, "model_number": 100, "part_number": 100, "variation_theme": 50}
_SLOTS = {"MAIN": ("main", 0), "SWCH": ("swatch", 99), **{f"PT{k:02d}": (f"pt{k:02d}", k) for k in range(1, 9)}}


@dataclass
class Image:
    image_type: str
    url: str
    url_thumb: str | None
    width: int | None
    height: int | None
    sort_order: int


@dataclass
class CatalogContent:
    asin: str
    marketplace_id: str
    # None for a whole group means "not in this payload" (not requested): the stored values stay.
    has_content: bool = False
    title: str | None = None
    bullet_points: list[str] | None = None
    description: str | None = None
    search_terms: list[str] | None = None
    has_brand: bool = False
    brand: str | None = None
    manufacturer: str | None = None
    model_number: str | None = None
    part_number: str | None = None
    has_category: bool = False
    category_id: int | None = None
    category_path: list[str] | None = None
    browse_node_id: int | None = None
    has_variation: bool = False
    parent_asin: str | None = None
    variation_type: str | None = None
    variation_theme: str | None = None
    images: list[Image] | None = None
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (field, value, reason)


def _text(value: Any) -> str | None:
    # Kept as sent (a title may end in a space on purpose); blank means missing, never ''.
    return value if isinstance(value, str) and value.strip() else None


def _for_marketplace(entries: Any, marketplace_id: str, key: str = "marketplaceId") -> list[Mapping]:
    if not isinstance(entries, list):
        return []
    return [e for e in entries if isinstance(e, Mapping) and e.get(key, marketplace_id) == marketplace_id]


def _values(attributes: Mapping, name: str, marketplace_id: str) -> list[str]:
    entries = _for_marketplace(attributes.get(name), marketplace_id, "marketplace_id")
    return [v for v in (_text(e.get("value")) for e in entries) if v is not None]


def _first(values: Iterable[str | None]) -> str | None:
    return next((v for v in values if v is not None), None)


def _node(value: Any) -> int | None:
    text = str(value) if value is not None else ""
    return int(text) if text.isdigit() and len(text) < 19 else None


def _category(payload: Mapping, marketplace_id: str, content: CatalogContent) -> None:
    classes = [c for block in _for_marketplace(payload.get("classifications"), marketplace_id)
               for c in block.get("classifications") or [] if isinstance(c, Mapping)]
    summary = _first_summary(payload, marketplace_id)
    ranks = [r for block in _for_marketplace(payload.get("salesRanks"), marketplace_id)
             for r in block.get("classificationRanks") or [] if isinstance(r, Mapping)]
    if not (classes or ranks or summary.get("browseClassification")):
        return
    content.has_category = True
    if classes:
        path, node = [], classes[0]
        while isinstance(node, Mapping):  # leaf first, each with its parent: walk up, then reverse
            if _text(node.get("displayName")):
                path.append(node["displayName"])
            node = node.get("parent")
        content.category_path = path[::-1] or None
        content.browse_node_id = _node(classes[0].get("classificationId"))
    browse = summary.get("browseClassification") or {}
    content.browse_node_id = content.browse_node_id or _node(browse.get("classificationId"))
    # The category whose best-seller rank Amazon reports, else the browse node.
    content.category_id = _first(_node(r.get("classificationId")) for r in ranks) or content.browse_node_id


def _first_summary(payload: Mapping, marketplace_id: str) -> Mapping:
    found = _for_marketplace(payload.get("summaries"), marketplace_id)
    return found[0] if found else {}


def _variation(payload: Mapping, marketplace_id: str, content: CatalogContent) -> None:
    if "relationships" not in payload:
        return
    blocks = _for_marketplace(payload.get("relationships"), marketplace_id)
    content.has_variation = True
    rels = [r for b in blocks for r in b.get("relationships") or [] if isinstance(r, Mapping) and r.get("type") == "VARIATION"]
    parent = next((r for r in rels if r.get("childAsins")), None)
    child = next((r for r in rels if r.get("parentAsins")), None)
    chosen = parent or child
    content.variation_type = "parent" if parent else "child" if child else "standalone"
    content.parent_asin = str(child["parentAsins"][0]) if child and not parent else None
    theme = (chosen or {}).get("variationTheme") or {}
    content.variation_theme = _text(theme.get("theme"))


def _images(payload: Mapping, marketplace_id: str) -> list[Image] | None:
    if "images" not in payload:
        return None
    by_slot: dict[str, list[Mapping]] = {}
    for block in _for_marketplace(payload.get("images"), marketplace_id):
        for img in block.get("images") or []:
            if isinstance(img, Mapping) and img.get("variant") in _SLOTS and _text(img.get("link")):
                by_slot.setdefault(img["variant"], []).append(img)
    out = []
    for variant, renditions in by_slot.items():
        by_size = sorted(renditions, key=lambda i: (i.get("width") or 0) * (i.get("height") or 0))
        big, small = by_size[-1], by_size[0]
        slot, order = _SLOTS[variant]
        out.append(Image(slot, big["link"], small["link"] if small is not big else None,
                         big.get("width") or None, big.get("height") or None, order))
    return sorted(out, key=lambda i: i.sort_order)


def read_catalog_item(payload: Mapping, asin: str, marketplace_id: str) -> CatalogContent:
    content = CatalogContent(asin=asin, marketplace_id=marketplace_id)
    attributes = payload.get("attributes")
    summary = _first_summary(payload, marketplace_id)
    if isinstance(attributes, Mapping):
        content.has_content = True
        content.title = _first(_values(attributes, "item_name", marketplace_id))
        content.bullet_points = _values(attributes, "bullet_point", marketplace_id) or None
        content.description = _first(_values(attributes, "product_description", marketplace_id))
        content.search_terms = _values(attributes, "generic_keyword", marketplace_id) or None
    attributes = attributes if isinstance(attributes, Mapping) else {}
    if attributes or summary:
        content.has_brand = True
        for name, summary_key in (("brand", "brand"), ("manufacturer", "manufacturer"),
                                  ("model_number", "modelNumber"), ("part_number", "partNumber")):
            setattr(content, name, _first([*_values(attributes, name, marketplace_id), _text(summary.get(summary_key))]))
    _category(payload, marketplace_id, content)
    _variation(payload, marketplace_id, content)
    content.images = _images(payload, marketplace_id)
    for name, width in _WIDTHS.items():
        value = getattr(content, name)
        if value is not None and len(value) > width:
            content.problems.append((name, value, f"{name} is longer than {width} characters"))
    if content.parent_asin is not None and not (len(content.parent_asin) == 10 and content.parent_asin.isalnum()
                                                and content.parent_asin == content.parent_asin.upper()):
        content.problems.append(("parent_asin", content.parent_asin, "parent ASIN is not a 10-character ASIN"))
    return content
