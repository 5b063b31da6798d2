"""Per-item SP-API fetches into raw.api_responses, through the real client and the sandbox; and the supply CSVs."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from orchestration.pipeline import sandbox_spapi_config
from orchestration.sandbox import SandboxServer
from orchestration.spapi.client import (SpApiConfig, catalog_client, featured_offer_client, fees_client,
                                        listings_client, pricing_client)
from orchestration.spapi.items import (fetch_catalog_items, fetch_competitive_pricing, fetch_fee_estimates,
                                       fetch_featured_offer_expected_prices, fetch_listings_items)
from orchestration.spapi.retry import SpApiUnavailable
from orchestration.spapi.supply_files import SUPPLY_FILES, download_supply_files
from small_world import a_day_with_a_suppressed_listing, small_world

UK = "A1F83G8C2ARO7P"


SUPPRESSED_DAY = a_day_with_a_suppressed_listing()


@pytest.fixture
def sandbox(request):
    with SandboxServer(small_world(SUPPRESSED_DAY), faults=getattr(request, "param", None)) as server:
        yield server


@pytest.fixture
def conn(db):
    db.execute("TRUNCATE raw.api_responses, raw.quarantine, raw.report_requests CASCADE")
    return db


@pytest.fixture
def config(sandbox) -> SpApiConfig:
    return sandbox_spapi_config(sandbox)


class Waits(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def launched(world):
    return [x for x in world.listings if x.open_date <= world.end_date]


def responses(conn, operation: str) -> dict[str, tuple[int, dict, dict, str]]:
    rows = conn.execute("SELECT request_key, http_status, payload, request_params, dagster_run_id "
                        "FROM raw.api_responses WHERE source = 'sp_api' AND operation = %s", (operation,)).fetchall()
    return {key: (status, payload, params, run) for key, status, payload, params, run in rows}


def quarantined(conn, operation: str) -> dict[str, str]:
    return dict(conn.execute("SELECT source_document_id, reason FROM raw.quarantine "
                             "WHERE source = 'sp_api' AND operation = %s", (operation,)).fetchall())


@pytest.mark.parametrize("sandbox", [{"throttle": {"getCatalogItem": {"first_n": 2}}}], indirect=True)
def test_catalog_items_for_every_listing_and_a_missing_asin_quarantined(conn, sandbox, config):
    world = sandbox.world
    asins = list(dict.fromkeys(x.asin for x in launched(world)))
    waits = Waits()
    summary = fetch_catalog_items(conn, catalog_client(config), asins + ["B0NOTMINE1", asins[0]],
                                  marketplace_id=UK, run_id="run-7", sleep=waits)
    assert waits == [0.5, 0.5]  # two throttled calls, retried at the advertised 2 per second
    assert (summary.requested, summary.stored) == (len(asins) + 1, len(asins))
    assert [key for key, _ in summary.failed] == ["B0NOTMINE1"]
    stored = responses(conn, "getCatalogItem")
    assert set(stored) == set(asins) | {"B0NOTMINE1"}  # the repeated ASIN was asked once
    for asin in asins:
        status, payload, params, run = stored[asin]
        assert status == 200 and payload["asin"] == asin and run == "run-7"
        assert {"attributes", "images", "salesRanks", "summaries"} <= set(payload)
        assert params == {"marketplaceIds": UK, "includedData": "attributes,images,salesRanks,summaries"}
    title = world.content_on(world.by_asin[asins[0]][0].idx)["title"]
    assert stored[asins[0]][1]["attributes"]["item_name"][0]["value"] == title
    status, payload, _, _ = stored["B0NOTMINE1"]
    assert status == 404 and payload["errors"][0]["code"] == "NOT_FOUND"
    reason = quarantined(conn, "getCatalogItem")["B0NOTMINE1"]
    assert "404" in reason and "not found" in reason


def test_listings_items_carry_the_suppression_issue(conn, sandbox, config):
    world = sandbox.world
    skus = [x.sku for x in launched(world)]
    suppressed = {x.sku for x in launched(world) if world.suppression(x.idx)}
    assert suppressed
    summary = fetch_listings_items(conn, listings_client(config), config.seller_id, skus, marketplace_id=UK)
    assert summary.stored == len(skus) and summary.failed == []
    stored = responses(conn, "getListingsItem")
    for sku in skus:
        payload = stored[sku][1]
        assert payload["sku"] == sku and {"summaries", "attributes", "issues", "offers"} <= set(payload)
        enforced = [i for i in payload["issues"] if i.get("enforcements")]
        if sku in suppressed:
            assert enforced[0]["enforcements"]["actions"] == [{"action": "SEARCH_SUPPRESSED"}]
            assert "DISCOVERABLE" not in payload["summaries"][0]["status"]
        else:
            assert enforced == []


def test_fee_estimates_in_gbp_and_an_unpriceable_sku_quarantined(conn, sandbox, config):
    world = sandbox.world
    fba = next(x for x in launched(world) if x.fulfilment == "AFN")
    fbm = next(x for x in launched(world) if x.fulfilment == "MFN")
    parent = next(x for x in world.listings if x.is_parent)
    items = [(fba.sku, Decimal("20.00"), True), (fbm.sku, Decimal("12.50"), False), (parent.sku, Decimal("9.99"), True)]
    summary = fetch_fee_estimates(conn, fees_client(config), items)
    assert (summary.requested, summary.stored) == (3, 2) and [k for k, _ in summary.failed] == [parent.sku]
    stored = responses(conn, "getMyFeesEstimateForSKU")
    result = stored[fba.sku][1]["FeesEstimateResult"]
    assert result["Status"] == "Success"
    assert result["FeesEstimateIdentifier"]["PriceToEstimateFees"]["ListingPrice"] == {"CurrencyCode": "GBP",
                                                                                        "Amount": 20.0}
    fees = {f["FeeType"]: f["FinalFee"] for f in result["FeesEstimate"]["FeeDetailList"]}
    assert fees["ReferralFee"] == {"CurrencyCode": "GBP", "Amount": 2.65}  # 13.26 % of 20.00
    assert fees["FBAFees"]["CurrencyCode"] == "GBP" and fees["FBAFees"]["Amount"] > 0
    assert stored[fba.sku][2] == {"price": "20.00", "currency": "GBP", "is_fba": True}
    mfn_fees = {f["FeeType"] for f in stored[fbm.sku][1]["FeesEstimateResult"]["FeesEstimate"]["FeeDetailList"]}
    assert "FBAFees" not in mfn_fees
    assert stored[parent.sku][0] == 200 and "ClientError" in quarantined(conn, "getMyFeesEstimateForSKU")[parent.sku]


def test_competitive_pricing_in_batches_of_twenty_one_row_per_asin(conn, sandbox, config):
    world = sandbox.world
    asins = list(dict.fromkeys(x.asin for x in launched(world) if x.buyable))
    assert len(asins) > 20  # the sandbox, like Amazon, refuses more than 20 in one call
    summary = fetch_competitive_pricing(conn, pricing_client(config), asins + ["B0NOTMINE1"], marketplace_id=UK)
    assert summary.stored == len(asins) and [k for k, _ in summary.failed] == ["B0NOTMINE1"]
    stored = responses(conn, "getCompetitivePricing")
    assert set(stored) == set(asins) | {"B0NOTMINE1"}
    for asin in asins:
        payload = stored[asin][1]
        assert payload["ASIN"] == asin and payload["status"] == "Success"
        price = payload["Product"]["CompetitivePricing"]["CompetitivePrices"][0]["Price"]["LandedPrice"]
        assert price["CurrencyCode"] == "GBP"
    assert "B0NOTMINE1" in quarantined(conn, "getCompetitivePricing")


def test_featured_offer_expected_prices_per_sku(conn, sandbox, config):
    skus = [x.sku for x in launched(sandbox.world) if x.buyable][:5]
    summary = fetch_featured_offer_expected_prices(conn, featured_offer_client(config), skus + ["NO-SUCH-SKU"],
                                                   marketplace_id=UK)
    assert summary.stored == 5 and [k for k, _ in summary.failed] == ["NO-SUCH-SKU"]
    stored = responses(conn, "getFeaturedOfferExpectedPriceBatch")
    for sku in skus:
        status, payload, _, _ = stored[sku]
        assert status == 200 and payload["request"]["sku"] == sku
        foep = payload["body"]["featuredOfferExpectedPriceResults"][0]["featuredOfferExpectedPrice"]
        assert foep["listingPrice"]["currencyCode"] == "GBP"
    assert stored["NO-SUCH-SKU"][0] == 404
    assert "NOT_FOUND" in quarantined(conn, "getFeaturedOfferExpectedPriceBatch")["NO-SUCH-SKU"]


class FailsAfter:
    """The real catalog client; after `n` calls the sandbox starts failing every call with 503."""

    def __init__(self, api, sandbox, n):
        self.api, self.sandbox, self.n, self.calls = api, sandbox, n, 0

    def get_catalog_item(self, asin, **kwargs):
        self.calls += 1
        if self.calls == self.n + 1:
            self.sandbox.set_faults({"server_errors": {"getCatalogItem": {"first_n": 1000, "status": 503}}})
        return self.api.get_catalog_item(asin, **kwargs)


def test_an_sp_api_outage_stops_the_batch_and_keeps_what_landed(conn, sandbox, config):
    asins = list(dict.fromkeys(x.asin for x in launched(sandbox.world)))[:6]
    waits = Waits()
    with pytest.raises(SpApiUnavailable) as info:
        fetch_catalog_items(conn, FailsAfter(catalog_client(config), sandbox, 3), asins, marketplace_id=UK,
                            sleep=waits)
    assert info.value.operation == "getCatalogItem" and len(waits) == 5
    assert set(responses(conn, "getCatalogItem")) == set(asins[:3])
    assert quarantined(conn, "getCatalogItem") == {}  # an outage is not the item's fault


def test_supply_files_land_in_the_folder_as_served(sandbox, tmp_path):
    folder = tmp_path / "supply"
    paths = download_supply_files(sandbox.base_url + "/", folder)
    assert [p.name for p in paths] == list(SUPPLY_FILES) and all(p.parent == folder for p in paths)
    for path in paths:
        served = httpx.get(f"{sandbox.base_url}/_sandbox/inventory/{path.name}").content
        assert path.read_bytes() == served and served.count(b"\n") > 1
    assert sorted(p.name for p in folder.iterdir()) == sorted(SUPPLY_FILES)  # no temporary files left behind
    assert paths[-1].read_text().splitlines()[0] == "listing_sku,component_sku,quantity,notes"
    assert paths[0].read_text().startswith("supplier_code,supplier_name,")
