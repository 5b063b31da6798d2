"""Product Fees v0, Product Pricing (v0 competitive price, 2022-05-01 featured offer) and A+ Content."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from urllib.parse import unquote_plus

from .http_util import ApiError, Request, Response, iso_z, json_response

if TYPE_CHECKING:
    from .server import SandboxServer


def _money(amount: float, upper: bool = True) -> dict:
    return {"CurrencyCode": "GBP", "Amount": round(float(amount), 2)} if upper else \
        {"currencyCode": "GBP", "amount": round(float(amount), 2)}


def _fee(kind: str, amount: float, included: list | None = None) -> dict:
    fee = {"FeeType": kind, "FeeAmount": _money(amount), "FeePromotion": _money(0.0), "FinalFee": _money(amount)}
    if included is not None:
        fee["IncludedFeeDetailList"] = included
    return fee


def fees_estimate_for_sku(server: "SandboxServer", req: Request) -> Response:
    world = server.world
    raw_sku = req.captures["sku"]
    lst = world.by_sku.get(raw_sku) or world.by_sku.get(unquote_plus(raw_sku))  # the library quote_plus-es SKUs
    request = (req.json() or {}).get("FeesEstimateRequest") or {}
    price_block = request.get("PriceToEstimateFees") or {}
    listing_price = price_block.get("ListingPrice") or {}
    is_fba = bool(request.get("IsAmazonFulfilled"))
    identifier = {"MarketplaceId": request.get("MarketplaceId"), "SellerId": server.credentials.seller_id,
                  "IdType": "SellerSKU", "IdValue": lst.sku if lst else raw_sku, "IsAmazonFulfilled": is_fba,
                  "PriceToEstimateFees": price_block, "SellerInputIdentifier": request.get("Identifier", "")}
    error = None
    if request.get("MarketplaceId") != world.marketplace_id:
        error = ("InvalidParameterValue", f"MarketplaceId {request.get('MarketplaceId')} is not valid for this seller.")
    elif listing_price.get("CurrencyCode") != "GBP":
        error = ("InvalidParameterValue",
                 f"Currency {listing_price.get('CurrencyCode')} is not valid for marketplace {world.marketplace_id}.")
    elif lst is None or lst.is_parent:
        error = ("InvalidParameterValue", f"The SellerSKU {raw_sku} is not valid.")
    else:
        try:
            price = float(listing_price.get("Amount"))
        except (TypeError, ValueError):
            price = -1.0
        if price <= 0:
            error = ("InvalidParameterValue", "ListingPrice.Amount must be greater than 0.")
    result: dict = {"FeesEstimateIdentifier": identifier}
    if error:
        result.update({"Status": "ClientError",
                       "Error": {"Type": "Sender", "Code": error[0], "Message": error[1], "Detail": []}})
    else:
        quote = world.fees(lst.idx, price=price, fba=is_fba)
        details = [_fee("ReferralFee", quote.referral_fee), _fee("VariableClosingFee", 0.0), _fee("PerItemFee", 0.0)]
        if is_fba:
            details.append(_fee("FBAFees", quote.fba_fee, [_fee("FBAPerUnitFulfillmentFee", quote.fba_fee)]))
        result.update({"Status": "Success", "FeesEstimate": {
            "TimeOfFeesEstimation": iso_z(dt.datetime.now(dt.timezone.utc)),
            "TotalFeesEstimate": _money(quote.total if is_fba else quote.referral_fee), "FeeDetailList": details}})
    return json_response({"payload": {"FeesEstimateResult": result}})


def competitive_pricing(server: "SandboxServer", req: Request) -> Response:
    world = server.world
    item_type = req.param("ItemType")
    ids = req.csv_param("Asins") if item_type == "Asin" else req.csv_param("Skus")
    if item_type not in ("Asin", "Sku") or not ids:
        raise ApiError(400, "InvalidInput", "ItemType must be Asin or Sku, with Asins or Skus.")
    if len(ids) > 20:
        raise ApiError(400, "InvalidInput", "At most 20 identifiers per request.")
    rivals = world.market.rival_prices(world.end_date)
    payload = []
    for ident in ids:
        lst = world.by_sku.get(ident) if item_type == "Sku" else next(
            (x for x in world.by_asin.get(ident, []) if x.buyable), None)
        key = "SellerSKU" if item_type == "Sku" else "ASIN"
        if lst is None or lst.is_parent or lst.open_date > world.end_date:
            payload.append({"status": "ClientError", key: ident,
                            "Product": {"Identifiers": {"MarketplaceASIN": {"MarketplaceId": world.marketplace_id,
                                                                            "ASIN": ident if key == "ASIN" else ""}}}})
            continue
        own = world.current_price(lst.idx)
        rival = float(rivals[lst.idx])
        featured = min(own, rival) if world.suppression(lst.idx) is None else rival
        identifiers = {"MarketplaceASIN": {"MarketplaceId": world.marketplace_id, "ASIN": lst.asin}}
        if item_type == "Sku":
            identifiers["SKUIdentifier"] = {"MarketplaceId": world.marketplace_id,
                                            "SellerId": server.credentials.seller_id, "SellerSKU": lst.sku}
        prices = [{"CompetitivePriceId": "1", "condition": "New", "subcondition": "New",
                   "belongsToRequester": featured == own,
                   "Price": {"LandedPrice": _money(featured), "ListingPrice": _money(featured), "Shipping": _money(0)}}]
        rank = world.market.sales_rank(lst.idx, world.end_date)
        payload.append({"status": "Success", key: ident, "Product": {
            "Identifiers": identifiers,
            "CompetitivePricing": {"CompetitivePrices": prices, "NumberOfOfferListings": [
                {"condition": "New", "Count": int(world.market.rival_offers[lst.idx]) + 1}]},
            "SalesRankings": [{"ProductCategoryId": "diy_display_on_website", "Rank": rank * 23 + 117}]}})
    return json_response({"payload": payload})


def featured_offer_expected_price(server: "SandboxServer", req: Request) -> Response:
    world = server.world
    requests_ = (req.json() or {}).get("requests") or []
    if not 1 <= len(requests_) <= 40:
        raise ApiError(400, "InvalidInput", "requests must hold between 1 and 40 items.")
    responses = []
    for item in requests_:
        echo = {"marketplaceId": item.get("marketplaceId"), "sku": item.get("sku")}
        lst = world.by_sku.get(item.get("sku") or "")
        if lst is None or lst.is_parent or item.get("marketplaceId") != world.marketplace_id:
            responses.append({"status": {"statusCode": 404, "reasonPhrase": "Not Found"}, "headers": {},
                              "request": echo, "body": {"errors": [
                                  {"code": "NOT_FOUND", "message": f"SKU {item.get('sku')} not found."}]}})
            continue
        own = world.current_price(lst.idx)
        foep = world.market.featured_offer_expected_price(lst.idx, world.end_date, own)
        offer_id = {"asin": lst.asin, "sku": lst.sku, "marketplaceId": world.marketplace_id,
                    "fulfillmentType": "AFN" if lst.fulfilment == "AFN" else "MFN",
                    "sellerId": server.credentials.seller_id}
        winning = own <= foep
        current = {"offerIdentifier": offer_id if winning else {**offer_id, "sku": None, "sellerId": "A3RIVALSELLER0"},
                   "condition": "New", "price": {"listingPrice": _money(own if winning else foep, False)}}
        responses.append({"status": {"statusCode": 200, "reasonPhrase": "OK"}, "headers": {}, "request": echo,
                          "body": {"offerIdentifier": offer_id, "featuredOfferExpectedPriceResults": [{
                              "featuredOfferExpectedPrice": {"listingPrice": _money(foep, False)},
                              "resultStatus": "VALID_FOEP", "currentFeaturedOffer": current}]}})
    return json_response({"responses": responses})


def _require_marketplace(server: "SandboxServer", req: Request) -> None:
    if server.world.marketplace_id not in req.csv_param("marketplaceId", "MarketplaceId", "marketplaceIds"):
        raise ApiError(400, "InvalidInput", "marketplaceId A1F83G8C2ARO7P is required.")


def search_content_documents(server: "SandboxServer", req: Request) -> Response:
    _require_marketplace(server, req)
    docs = server.world.aplus_documents()
    start = int(req.param("pageToken") or 0) if (req.param("pageToken") or "0").isdigit() else 0
    page = docs[start:start + 20]
    out = {"warnings": [], "contentMetadataRecords": [
        {"contentReferenceKey": d["contentReferenceKey"], "contentMetadata": {
            "name": d["name"], "marketplaceId": server.world.marketplace_id, "status": d["status"],
            "badgeSet": ["STANDARD"], "updateTime": iso_z(d["updateTime"])}} for d in page]}
    if start + 20 < len(docs):
        out["nextPageToken"] = str(start + 20)
    return json_response(out)


def search_publish_records(server: "SandboxServer", req: Request) -> Response:
    _require_marketplace(server, req)
    asin = req.param("asin")
    if not asin:
        raise ApiError(400, "InvalidInput", "asin is required.")
    records = [{"marketplaceId": server.world.marketplace_id, "locale": "en_GB", "asin": asin, "contentType": "EBC",
                "contentSubType": "STANDARD", "contentReferenceKey": d["contentReferenceKey"]}
               for d in server.world.aplus_documents() if d["status"] == "APPROVED" and asin in d["asins"]]
    return json_response({"warnings": [], "publishRecordList": records})
