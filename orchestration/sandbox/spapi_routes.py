"""Catalog Items 2022-04-01 and Listings Items 2021-08-01 (get and patch) over the world."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from .http_util import ApiError, Request, Response, json_response
from .world_catalog import Listing
from .world_catalog_data import CATEGORIES
from .world_events import NONE

if TYPE_CHECKING:
    from .server import SandboxServer
    from .world import World

FORBIDDEN_TITLE_CHARS = set("!$?_{}^¬¦")
_THEME_ATTRS = {"SIZE_NAME": ["size_name"], "COLOR_NAME": ["color_name"], "SIZE_NAME/COLOR_NAME": ["size_name", "color_name"]}


def _text(world: "World", value) -> list[dict]:
    return [{"value": value, "language_tag": "en_GB", "marketplace_id": world.marketplace_id}]


def _launched(world: "World", lst: Listing | None) -> bool:
    return lst is not None and lst.open_date <= world.end_date


def attributes(world: "World", lst: Listing, content: dict) -> dict:
    mp = world.marketplace_id
    length, width, height = lst.dims_cm
    attrs = {
        "item_name": _text(world, content["title"]),
        "brand": _text(world, lst.brand),
        "manufacturer": _text(world, lst.brand),
        "bullet_point": [{"value": b, "language_tag": "en_GB", "marketplace_id": mp} for b in content["bullets"]],
        "generic_keyword": _text(world, content["search_terms"]),
        "externally_assigned_product_identifier": [{"type": "ean", "value": lst.ean, "marketplace_id": mp}],
        "number_of_items": [{"value": lst.spec["pack"], "marketplace_id": mp}],
        "item_package_weight": [{"unit": "grams", "value": lst.weight_g, "marketplace_id": mp}],
        "item_package_dimensions": [{"length": {"unit": "centimeters", "value": length},
                                     "width": {"unit": "centimeters", "value": width},
                                     "height": {"unit": "centimeters", "value": height}, "marketplace_id": mp}],
        "part_number": [{"value": lst.sku.split("-")[-1] if lst.parent_idx >= 0 else lst.sku, "marketplace_id": mp}],
    }
    if content["description"]:
        attrs["product_description"] = _text(world, content["description"])
    if lst.size:
        attrs["size"] = _text(world, lst.size)
    if lst.colour:
        attrs["color"] = _text(world, lst.colour)
    return attrs


def _images(lst: Listing) -> list[dict]:
    out = []
    for img in lst.images:
        out.append(dict(img))
        if img["variant"] == "MAIN" and img["width"] > 500:  # Amazon also lists a 500 px rendition
            out.append({"variant": "MAIN", "link": img["link"].replace(".jpg", "._SL500_.jpg"),
                        "height": 500, "width": 500})
    return out


def catalog_item(world: "World", asin: str, included: set[str], as_of: dt.date | None = None) -> dict:
    """`as_of` (sandbox only, for the demo's history replay): the item as it was on that day."""
    offers = world.by_asin[asin]
    lst = offers[0]
    content = world.content_on(lst.idx, as_of)
    mp = world.marketplace_id
    cat = CATEGORIES[lst.category]
    item: dict = {"asin": asin}
    if "attributes" in included:
        item["attributes"] = attributes(world, lst, content)
    if "classifications" in included:
        item["classifications"] = [{"marketplaceId": mp, "classifications": [
            {"displayName": cat["display"], "classificationId": cat["node"],
             "parent": {"displayName": "DIY & Tools", "classificationId": "79903031"}}]}]
    if "dimensions" in included:
        length, width, height = lst.dims_cm
        item["dimensions"] = [{"marketplaceId": mp, "package": {
            "height": {"unit": "centimeters", "value": height}, "length": {"unit": "centimeters", "value": length},
            "width": {"unit": "centimeters", "value": width}, "weight": {"unit": "grams", "value": lst.weight_g}}}]
    if "identifiers" in included:
        item["identifiers"] = [{"marketplaceId": mp, "identifiers": [{"identifier": lst.ean, "identifierType": "EAN"}]}]
    if "images" in included:
        item["images"] = [{"marketplaceId": mp, "images": _images(lst)}]
    if "productTypes" in included:
        item["productTypes"] = [{"marketplaceId": mp, "productType": lst.product_type}]
    if "relationships" in included:
        rels = []
        if lst.is_parent:
            rels.append({"type": "VARIATION", "childAsins": [c.asin for c in world.listings if c.parent_idx == lst.idx],
                         "variationTheme": {"attributes": _THEME_ATTRS[lst.variation_theme], "theme": lst.variation_theme}})
        elif lst.parent_idx >= 0:
            rels.append({"type": "VARIATION", "parentAsins": [lst.parent_asin],
                         "variationTheme": {"attributes": _THEME_ATTRS[lst.variation_theme], "theme": lst.variation_theme}})
        item["relationships"] = [{"marketplaceId": mp, "relationships": rels}]
    if "salesRanks" in included:
        ranks: dict = {"marketplaceId": mp, "classificationRanks": [], "displayGroupRanks": []}
        if lst.buyable:
            rank = world.market.sales_rank(lst.idx, as_of or world.end_date)
            ranks["classificationRanks"].append({"classificationId": cat["node"], "title": cat["display"],
                                                 "link": f"http://www.amazon.co.uk/gp/bestsellers/diy/{cat['node']}",
                                                 "rank": rank})
            ranks["displayGroupRanks"].append({"websiteDisplayGroup": "diy_display_on_website", "title": "DIY & Tools",
                                               "link": "http://www.amazon.co.uk/gp/bestsellers/diy", "rank": rank * 23 + 117})
        item["salesRanks"] = [ranks]
    if "summaries" in included:
        summary = {"marketplaceId": mp, "brand": lst.brand,
                   "browseClassification": {"displayName": cat["display"], "classificationId": cat["node"]},
                   "itemClassification": "VARIATION_PARENT" if lst.is_parent else "BASE_PRODUCT",
                   "itemName": content["title"], "manufacturer": lst.brand, "packageQuantity": lst.spec["pack"],
                   "partNumber": lst.sku, "websiteDisplayGroup": "diy_display_on_website",
                   "websiteDisplayGroupName": "DIY & Tools"}
        if lst.colour:
            summary["color"] = lst.colour
        if lst.size:
            summary["size"] = lst.size
        item["summaries"] = [summary]
    return item


def get_catalog_item(server: "SandboxServer", req: Request) -> Response:
    world = server.world
    asin = req.captures["asin"]
    marketplaces = req.csv_param("marketplaceIds", "MarketplaceIds")
    if world.marketplace_id not in marketplaces:
        raise ApiError(400, "InvalidInput", "marketplaceIds must include A1F83G8C2ARO7P.")
    offers = world.by_asin.get(asin)
    if not offers or not _launched(world, offers[0]):
        raise ApiError(404, "NOT_FOUND", f"Requested item '{asin}' not found in marketplace(s) {world.marketplace_id}.")
    included = set(req.csv_param("includedData") or ["summaries"])
    return json_response(catalog_item(world, asin, included))


# ----- Listings Items -----------------------------------------------------------------------------
def _listing(server: "SandboxServer", req: Request) -> Listing:
    if req.captures["sellerId"] != server.credentials.seller_id:
        raise ApiError(403, "Unauthorized", "Access to requested resource is denied.",
                       "The sellerId does not match the seller that authorised this application.")
    if server.world.marketplace_id not in req.csv_param("marketplaceIds", "MarketplaceIds"):
        raise ApiError(400, "InvalidInput", "marketplaceIds must include A1F83G8C2ARO7P.")
    lst = server.world.by_sku.get(req.captures["sku"])
    if not _launched(server.world, lst):
        raise ApiError(404, "NOT_FOUND", f"SKU '{req.captures['sku']}' not found in marketplace {server.world.marketplace_id}.")
    return lst


def listing_issues(world: "World", lst: Listing, content: dict) -> list[dict]:
    issues = []
    sup = world.suppression(lst.idx)
    if sup:
        issues.append({"code": sup["code"], "message": sup["message"], "severity": "ERROR",
                       "attributeNames": [sup["attribute"]], "categories": ["INVALID_ATTRIBUTE"],
                       "enforcements": {"actions": [{"action": "SEARCH_SUPPRESSED"}],
                                        "exemption": {"status": "NOT_EXEMPT"}}})
    title = content["title"]
    if len(title) > 200 or FORBIDDEN_TITLE_CHARS & set(title):
        issues.append({"code": "8560", "severity": "WARNING", "attributeNames": ["item_name"],
                       "categories": ["INVALID_ATTRIBUTE"],
                       "message": "The title does not meet the title requirements: at most 200 characters and none "
                                  "of ! $ ? _ { } ^ ¬ ¦."})
    if len(content["search_terms"].encode("utf-8")) > 249:
        issues.append({"code": "99010", "severity": "WARNING", "attributeNames": ["generic_keyword"],
                       "categories": ["INVALID_ATTRIBUTE"],
                       "message": "Search terms exceed 249 bytes and will not be indexed."})
    return issues


def _last_updated(world: "World", lst: Listing) -> dt.date:
    ev, today = world.events, world.today.toordinal()
    days = [int(d) for t, d in zip(ev.ev_type[:, lst.idx], ev.ev_day[:, lst.idx]) if t != NONE and d <= today]
    days += [eff for eff, _f, _v in world._edits.get(lst.idx, []) if eff <= today]
    return dt.date.fromordinal(max(days)) if days else lst.open_date


def listings_item(world: "World", lst: Listing, included: set[str]) -> dict:
    content = world.content_on(lst.idx)
    mp = world.marketplace_id
    out: dict = {"sku": lst.sku}
    fba = lst.fulfilment == "AFN"
    stock = int(world.stock(world.today)["fulfillable"][lst.idx]) if fba else int(world.arrays["fbm_quantity"][lst.idx])
    sup = world.suppression(lst.idx)
    if "summaries" in included:
        status = [] if lst.is_parent or (fba and stock <= 0) else ["BUYABLE"]
        if not sup:
            status.append("DISCOVERABLE")
        main = lst.images[0]
        summary = {"marketplaceId": mp, "asin": lst.asin, "productType": lst.product_type, "conditionType": "new_new",
                   "status": status, "itemName": content["title"],
                   "createdDate": f"{lst.open_date.isoformat()}T09:00:00.000Z",
                   "lastUpdatedDate": f"{_last_updated(world, lst).isoformat()}T09:00:00.000Z",
                   "mainImage": {"link": main["link"], "height": main["height"], "width": main["width"]}}
        if fba:
            summary["fnSku"] = lst.fnsku
        out["summaries"] = [summary]
    if "attributes" in included:
        attrs = attributes(world, lst, content)
        attrs["condition_type"] = [{"value": "new_new", "marketplace_id": mp}]
        if lst.buyable:
            attrs["purchasable_offer"] = [{"marketplace_id": mp, "currency": "GBP", "audience": "ALL",
                                           "our_price": [{"schedule": [{"value_with_tax": world.current_price(lst.idx)}]}]}]
            attrs["fulfillment_availability"] = [{"fulfillment_channel_code": "AMAZON_EU" if fba else "DEFAULT",
                                                  **({} if fba else {"quantity": stock})}]
        out["attributes"] = attrs
    if "issues" in included:
        out["issues"] = listing_issues(world, lst, content)
    if "offers" in included:
        out["offers"] = [] if lst.is_parent else [
            {"marketplaceId": mp, "offerType": "B2C", "price": {"currencyCode": "GBP", "amount": f"{world.current_price(lst.idx):.2f}"}}]
    if "fulfillmentAvailability" in included:
        out["fulfillmentAvailability"] = [] if lst.is_parent else [
            {"fulfillmentChannelCode": "AMAZON_EU" if fba else "DEFAULT", "quantity": stock}]
    return out


def get_listings_item(server: "SandboxServer", req: Request) -> Response:
    lst = _listing(server, req)
    included = set(req.csv_param("includedData") or ["summaries"])
    return json_response(listings_item(server.world, lst, included))


_PATCHABLE = {"purchasable_offer": "price", "item_name": "title", "bullet_point": "bullets",
              "product_description": "description", "generic_keyword": "search_terms"}


def _issue(code: str, message: str, attribute: str, severity: str = "ERROR") -> dict:
    return {"code": code, "message": message, "severity": severity, "attributeNames": [attribute]}


def validate_patches(world: "World", lst: Listing, body: dict) -> tuple[dict, list[dict]]:
    """Turn a patchListingsItem body into world edits; issues with severity ERROR make it INVALID."""
    if not body.get("productType"):
        raise ApiError(400, "InvalidInput", "productType is required.")
    patches = body.get("patches")
    if not isinstance(patches, list) or not patches:
        raise ApiError(400, "InvalidInput", "patches must be a non-empty list.")
    changes, issues = {}, []
    for patch in patches:
        op, path, value = patch.get("op"), str(patch.get("path", "")), patch.get("value")
        name = path.removeprefix("/attributes/")
        if op not in ("add", "replace", "merge", "delete") or not path.startswith("/attributes/"):
            issues.append(_issue("4000001", f"Invalid patch operation {op!r} on {path!r}.", name or "patches"))
            continue
        if name not in _PATCHABLE:
            issues.append(_issue("99001", f"The sandbox accepts but ignores '{name}'.", name, "WARNING"))
            continue
        if op == "delete":
            if name == "product_description":
                changes["description"] = None
            else:
                issues.append(_issue("4000002", f"'{name}' is required and cannot be deleted.", name))
            continue
        if not isinstance(value, list) or not value or not isinstance(value[0], dict):
            issues.append(_issue("4000003", f"'{name}' needs a list of values.", name))
            continue
        if name == "purchasable_offer":
            if lst.is_parent:
                issues.append(_issue("4000010", "A variation parent cannot have an offer.", name))
                continue
            offer = value[0]
            try:
                price = float(offer["our_price"][0]["schedule"][0]["value_with_tax"])
            except (KeyError, IndexError, TypeError, ValueError):
                issues.append(_issue("4000004", "our_price.schedule.value_with_tax is required.", name))
                continue
            if offer.get("currency", "GBP") != "GBP":
                issues.append(_issue("4000005", f"Currency {offer.get('currency')} is not valid for this marketplace.", name))
            elif not 0 < price < 100000:
                issues.append(_issue("4000006", "The value for 'our_price' must be greater than 0.", name))
            else:
                changes["price"] = round(price, 2)
            continue
        texts = [v.get("value") for v in value]
        if any(not isinstance(t, str) or not t.strip() for t in texts):
            issues.append(_issue("4000007", f"'{name}' values must be non-empty text.", name))
            continue
        if name == "item_name" and len(texts[0]) > 500:
            issues.append(_issue("4000008", "The title is longer than 500 characters.", name))
            continue
        changes[_PATCHABLE[name]] = texts if name == "bullet_point" else texts[0]
    return changes, issues


def patch_listings_item(server: "SandboxServer", req: Request) -> Response:
    lst = _listing(server, req)
    changes, issues = validate_patches(server.world, lst, req.json())
    invalid = any(i["severity"] == "ERROR" for i in issues)
    preview = req.param("mode") == "VALIDATION_PREVIEW"
    if invalid:
        status = "INVALID"
    elif preview:
        status = "VALID"  # a dry run: nothing changes
    else:
        server.world.apply_edit(lst.sku, changes)
        status = "ACCEPTED"
    return json_response({"sku": lst.sku, "status": status, "submissionId": uuid.uuid4().hex, "issues": issues})
