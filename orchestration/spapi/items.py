"""Per-item SP-API look-ups (catalog, listings, fees, prices) kept as JSON in raw.api_responses, one row per item.

An item Amazon rejects (unknown ASIN, retired SKU, a fee request it cannot price) is stored with
its status and error and put in raw.quarantine for the seller to look at; the rest of the batch
still lands. Throttling and 5xx are retried; an SP-API that stays down stops the batch, keeping
what was stored so far.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Iterable

import psycopg
from psycopg.types.json import Jsonb
from sp_api.base.exceptions import SellingApiBadRequestException, SellingApiNotFoundException

from orchestration.spapi.retry import call_with_retries

CATALOG_INCLUDED_DATA = "attributes,images,salesRanks,summaries"
LISTINGS_INCLUDED_DATA = "summaries,attributes,issues,offers"  # issues[].enforcements carry suppression
COMPETITIVE_PRICING_BATCH = 20  # getCompetitivePricing takes at most 20 ASINs
FEATURED_OFFER_BATCH = 40  # getFeaturedOfferExpectedPriceBatch takes at most 40 requests


@dataclass
class FetchSummary:
    requested: int
    stored: int = 0  # items Amazon answered in full
    failed: list[tuple[str, str]] = field(default_factory=list)  # (asin or sku, reason): stored too, and quarantined


def fetch_catalog_items(conn: psycopg.Connection, catalog_api, asins: Iterable[str], *, marketplace_id: str,
                        run_id: str | None = None, sleep=time.sleep) -> FetchSummary:
    """getCatalogItem (2022-04-01) per ASIN: title, bullets, images, sales ranks as Amazon shows them."""
    params = {"marketplaceIds": marketplace_id, "includedData": CATALOG_INCLUDED_DATA}
    return _each(conn, "getCatalogItem", _unique(asins), params, run_id, sleep,
                 lambda asin: catalog_api.get_catalog_item(asin, **params).payload)


def fetch_listings_items(conn: psycopg.Connection, listings_api, seller_id: str, skus: Iterable[str], *,
                         marketplace_id: str, run_id: str | None = None, sleep=time.sleep) -> FetchSummary:
    """getListingsItem (2021-08-01) per SKU: status, attributes, offers and issues (suppression)."""
    params = {"marketplaceIds": marketplace_id, "includedData": LISTINGS_INCLUDED_DATA}
    return _each(conn, "getListingsItem", _unique(skus), params, run_id, sleep,
                 lambda sku: listings_api.get_listings_item(seller_id, sku, **params).payload)


def fetch_fee_estimates(conn: psycopg.Connection, fees_api, items: list[tuple[str, Decimal, bool]],
                        run_id: str | None = None, sleep=time.sleep) -> FetchSummary:
    """getMyFeesEstimateForSKU per (sku, VAT-inclusive price in GBP, FBA?).

    Amazon answers 200 even when it cannot price the item (Status ClientError): that is quarantined too.
    """
    summary = FetchSummary(requested=len(items))
    for sku, price, is_fba in items:
        params = {"price": str(price), "currency": "GBP", "is_fba": is_fba}
        try:
            # currency: the library defaults to USD, which Amazon rejects for amazon.co.uk.
            payload = call_with_retries(fees_api.get_product_fees_estimate_for_sku, sku, float(price),
                                        currency="GBP", is_fba=is_fba, operation="getMyFeesEstimateForSKU",
                                        sleep=sleep).payload
        except (SellingApiBadRequestException, SellingApiNotFoundException) as exc:
            _record_rejection(conn, summary, "getMyFeesEstimateForSKU", sku, params, exc, run_id)
            continue
        result = payload.get("FeesEstimateResult") or {}
        problem = None
        if result.get("Status") != "Success":
            error = result.get("Error") or {}
            problem = (f"fee estimate {result.get('Status') or 'missing'}: "
                       f"{error.get('Code', '')} {error.get('Message', '')}")
        _record(conn, summary, "getMyFeesEstimateForSKU", sku, params, 200, payload, run_id, problem)
    return summary


def fetch_competitive_pricing(conn: psycopg.Connection, pricing_api, asins: Iterable[str], *, marketplace_id: str,
                              run_id: str | None = None, sleep=time.sleep) -> FetchSummary:
    """getCompetitivePricing (v0) in batches of 20 ASINs, one stored row per ASIN."""
    asins = _unique(asins)
    summary = FetchSummary(requested=len(asins))
    for batch in _chunks(asins, COMPETITIVE_PRICING_BATCH):
        payload = call_with_retries(pricing_api.get_competitive_pricing_for_asins, batch,
                                    MarketplaceId=marketplace_id, operation="getCompetitivePricing",
                                    sleep=sleep).payload
        answered = {entry.get("ASIN"): entry for entry in payload or []}
        for asin in batch:
            entry = answered.get(asin)
            problem = None if entry and entry.get("status") == "Success" else \
                f"competitive pricing {entry.get('status') if entry else 'not returned'} for {asin}"
            _record(conn, summary, "getCompetitivePricing", asin, {"MarketplaceId": marketplace_id}, 200,
                    entry, run_id, problem)
    return summary


def fetch_featured_offer_expected_prices(conn: psycopg.Connection, featured_api, skus: Iterable[str], *,
                                         marketplace_id: str, run_id: str | None = None,
                                         sleep=time.sleep) -> FetchSummary:
    """getFeaturedOfferExpectedPriceBatch (2022-05-01): the price at or below which the offer can win, per SKU."""
    skus = _unique(skus)
    summary = FetchSummary(requested=len(skus))
    uri = "/products/pricing/2022-05-01/offer/featuredOfferExpectedPrice"
    for batch in _chunks(skus, FEATURED_OFFER_BATCH):
        requests_ = [{"uri": uri, "method": "GET", "marketplaceId": marketplace_id, "sku": sku} for sku in batch]
        payload = call_with_retries(featured_api.get_featured_offer_expected_price_batch, requests_,
                                    operation="getFeaturedOfferExpectedPriceBatch", sleep=sleep).payload
        # Each response echoes its request and carries its own HTTP status.
        answered = {(entry.get("request") or {}).get("sku"): entry for entry in payload.get("responses") or []}
        for sku in batch:
            entry = answered.get(sku)
            status = (int((entry.get("status") or {}).get("statusCode") or 0) or None) if entry else None
            problem = None if status == 200 else \
                f"featured offer expected price HTTP {status or 'missing'}: {_errors_text((entry or {}).get('body'))}"
            _record(conn, summary, "getFeaturedOfferExpectedPriceBatch", sku, {"marketplaceId": marketplace_id},
                    status, entry, run_id, problem)
    return summary


# ----- shared -------------------------------------------------------------------------------------
def _each(conn, operation: str, keys: list[str], params: dict, run_id, sleep,
          call: Callable[[str], dict]) -> FetchSummary:
    summary = FetchSummary(requested=len(keys))
    for key in keys:
        try:
            payload = call_with_retries(call, key, operation=operation, sleep=sleep)
        except (SellingApiBadRequestException, SellingApiNotFoundException) as exc:
            _record_rejection(conn, summary, operation, key, params, exc, run_id)
            continue
        _record(conn, summary, operation, key, params, 200, payload, run_id, None)
    return summary


def _record_rejection(conn, summary: FetchSummary, operation: str, key: str, params: dict, exc, run_id) -> None:
    """An item-level 400/404: Amazon's error body kept, and the item quarantined."""
    errors = exc.error if isinstance(exc.error, list) else [exc.error]
    _record(conn, summary, operation, key, params, exc.code, {"errors": errors}, run_id,
            f"{operation} HTTP {exc.code}: {_errors_text({'errors': errors})}")


def _record(conn, summary: FetchSummary, operation: str, key: str, params: dict, http_status: int | None,
            payload, run_id, problem: str | None) -> None:
    with conn.transaction():  # the response row and its quarantine entry land together
        conn.execute(
            "INSERT INTO raw.api_responses (source, operation, request_key, request_params, http_status, payload, "
            "dagster_run_id) VALUES ('sp_api', %s, %s, %s, %s, %s, %s)",
            (operation, key, Jsonb(params), http_status, None if payload is None else Jsonb(payload), run_id))
        if problem:
            conn.execute(
                "INSERT INTO raw.quarantine (source, operation, source_document_id, reason, raw_record, dagster_run_id) "
                "VALUES ('sp_api', %s, %s, %s, %s, %s)",
                (operation, key, problem, None if payload is None else json.dumps(payload, ensure_ascii=False),
                 run_id))
    if problem:
        summary.failed.append((key, problem))
    else:
        summary.stored += 1


def _errors_text(body) -> str:
    errors = (body.get("errors") or []) if isinstance(body, dict) else []
    texts = [f"{e.get('code', '')} {e.get('message', '')}".strip() for e in errors if isinstance(e, dict)]
    return "; ".join(texts) or "no detail"


def _unique(keys: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(keys))  # two SKUs can share an ASIN; ask once, keep the order


def _chunks(keys: list[str], size: int) -> Iterable[list[str]]:
    return (keys[i:i + size] for i in range(0, len(keys), size))
