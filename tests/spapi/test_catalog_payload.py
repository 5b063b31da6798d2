"""Reading a Catalog Items payload: Amazon's own example, marketplace filtering, missing versus not requested."""

from __future__ import annotations

import json
from pathlib import Path

from orchestration.spapi.catalog_payload import read_catalog_item

SAMPLE = Path(__file__).parents[1] / "fixtures" / "samples" / "amzn_model_example_catalogItems_2022-04-01_getCatalogItem.json"
US = "ATVPDKIKX0DER"


def test_amazons_example_item():
    payload = json.loads(SAMPLE.read_text())
    item = read_catalog_item(payload, payload["asin"], US)
    assert item.title.startswith("Samsung QN82Q60RAFXZA") and len(item.bullet_points) == 6
    assert (item.brand, item.manufacturer, item.model_number) == ("SAMSUNG", "Samsung", "QN82Q60RAFXZA")
    assert item.description is None and item.search_terms is None  # not in the payload: missing
    assert item.category_path == ["Electronics", "Television & Video", "Televisions", "QLED TVs"]
    assert item.browse_node_id == 21489946011
    assert (item.variation_type, item.parent_asin) == ("child", "B08J7TQ9FL")
    main = item.images[0]
    # The largest rendition per variant, the smallest as the thumbnail.
    assert (main.image_type, main.url, main.width, main.height) == (
        "main", "https://m.media-amazon.com/images/I/91uohwV+k3L.jpg", 2560, 1707)
    assert main.url_thumb == "https://m.media-amazon.com/images/I/51DZzp3w3vL.jpg"
    assert [i.image_type for i in item.images] == ["main"] + [f"pt{k:02d}" for k in range(1, 9)]
    assert item.problems == []


def test_other_marketplaces_values_and_blanks_are_not_content():
    payload = {"asin": "B000000001", "attributes": {
        "item_name": [{"value": "Titel", "marketplace_id": "A1PA6795UKMFR9"}, {"value": "Title", "marketplace_id": "UK1"}],
        "bullet_point": [{"value": "  ", "marketplace_id": "UK1"}],
        "product_description": [{"value": "", "marketplace_id": "UK1"}]}}
    item = read_catalog_item(payload, "B000000001", "UK1")
    assert (item.title, item.bullet_points, item.description) == ("Title", None, None)
    assert item.has_content and not item.has_category and not item.has_variation and item.images is None


def test_a_payload_without_attributes_leaves_content_alone_and_a_long_brand_is_a_problem():
    payload = {"asin": "B000000001", "summaries": [{"marketplaceId": "UK1", "brand": "B" * 300}]}
    item = read_catalog_item(payload, "B000000001", "UK1")
    assert not item.has_content and item.has_brand
    assert item.problems == [("brand", "B" * 300, "brand is longer than 255 characters")]
