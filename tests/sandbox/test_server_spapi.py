"""The sandbox marketplace through the real python-amazon-sp-api client, unmodified."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import logging
from pathlib import Path

import httpx
import pytest
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base.exceptions import (SellingApiBadRequestException, SellingApiForbiddenException,
                                    SellingApiNotFoundException, SellingApiRequestThrottledException,
                                    SellingApiTemporarilyUnavailableException)

from orchestration.sandbox import SandboxServer, build_world
from orchestration.sandbox.world_events import block_of
from orchestration.spapi.client import (SpApiConfig, aplus_client, catalog_client, featured_offer_client, fees_client,
                                        listings_client, pricing_client, reports_client)

END = dt.date(2026, 6, 30)
# The real payload samples shared with the project (DESIGN.md section 6).
SAMPLES = Path(__file__).parents[1] / "fixtures" / "samples"  # verbatim copies of shared/samples
UK = "A1F83G8C2ARO7P"


def small_world(**kw):
    return build_world(**{"seed": 7, "listing_count": 30, "days": 60, "end_date": END, **kw})


@pytest.fixture
def sandbox(request):
    """A started server; parametrise with a dict of fault settings via indirect=True."""
    faults = getattr(request, "param", None)
    with SandboxServer(small_world(), faults=faults) as server:
        yield server


def config_for(server: SandboxServer, **overrides) -> SpApiConfig:
    c = server.credentials
    values = dict(lwa_app_id=c.lwa_app_id, lwa_client_secret=c.lwa_client_secret, refresh_token=c.refresh_token,
                  seller_id=c.seller_id, endpoint=server.base_url, lwa_token_url=server.lwa_token_url)
    return SpApiConfig(**{**values, **overrides})


def run_report(client, report_type, **kwargs) -> tuple[dict, list[str]]:
    report_id = client.create_report(reportType=report_type, **kwargs).payload["reportId"]
    seen = []
    for _ in range(10):
        report = client.get_report(report_id).payload
        seen.append(report["processingStatus"])
        if report["processingStatus"] in ("DONE", "CANCELLED", "FATAL"):
            return report, seen
    raise AssertionError(f"report never finished: {seen}")


def fetch_raw(client, document_id) -> tuple[dict, httpx.Response]:
    info = client.get_report_document(document_id).payload
    return info, httpx.get(info["url"])


def shape(value):
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return "number" if isinstance(value, (int, float)) and not isinstance(value, bool) else type(value).__name__


def assert_same_shape(actual, sample, path="$"):
    """Every key of the sample exists in the answer with the same kind of value."""
    if isinstance(sample, dict):
        assert isinstance(actual, dict), path
        for key, sub in sample.items():
            assert key in actual, f"{path}.{key} missing"
            assert_same_shape(actual[key], sub, f"{path}.{key}")
    elif isinstance(sample, list):
        assert isinstance(actual, list), path
        if sample and actual:
            assert_same_shape(actual[0], sample[0], path + "[0]")
    else:
        assert actual == sample, f"{path}: {actual} != {sample}"


# ----- LWA -----------------------------------------------------------------------------------------
def test_lwa_token_endpoint_validates_credentials(sandbox):
    c = sandbox.credentials
    form = {"grant_type": "refresh_token", "client_id": c.lwa_app_id, "client_secret": c.lwa_client_secret,
            "refresh_token": c.refresh_token}
    ok = httpx.post(sandbox.lwa_token_url, data=form).json()
    assert set(ok) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert ok["token_type"] == "bearer" and ok["expires_in"] == 3600
    bad_secret = httpx.post(sandbox.lwa_token_url, data={**form, "client_secret": "nope"})
    assert bad_secret.status_code == 401 and bad_secret.json()["error"] == "invalid_client"
    bad_grant = httpx.post(sandbox.lwa_token_url, data={**form, "refresh_token": "Atzr|stolen"})
    assert bad_grant.status_code == 400 and bad_grant.json()["error"] == "invalid_grant"
    no_token = httpx.get(f"{sandbox.base_url}/reports/2021-06-30/reports?reportTypes=GET_MERCHANT_LISTINGS_ALL_DATA",
                         headers={"x-amz-access-token": "Atza|forged"})
    assert no_token.status_code == 403


def test_library_rejects_wrong_credentials_without_leaking_them(sandbox):
    cfg = config_for(sandbox, lwa_client_secret="my-wrong-but-secret-value")
    with pytest.raises(AuthorizationError) as info:
        reports_client(cfg).get_reports(reportTypes=["GET_MERCHANT_LISTINGS_ALL_DATA"])
    assert info.value.status_code == 401
    text = f"{info.value} {info.value!r} {vars(info.value)} {cfg!r} {cfg}"
    assert "my-wrong-but-secret-value" not in text and cfg.refresh_token not in text


def test_tokens_and_secrets_never_reach_the_logs(sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("sp_api.base.client", "sp_api.auth.access_token_client", "httpx"):
        caplog.set_level(logging.DEBUG, logger=name)
    cfg = config_for(sandbox)
    client = reports_client(cfg)
    report, _ = run_report(client, "GET_MERCHANT_LISTINGS_ALL_DATA")
    url = client.get_report_document(report["reportDocumentId"], download=True).payload["url"]
    signature = url.split("X-Amz-Signature=")[1]
    access_token = sandbox.access_token_for("refresh:" + cfg.refresh_token)
    assert "Request Headers" in caplog.text and "X-Amz-Signature=" in caplog.text  # the library logged them...
    for secret in (access_token, cfg.refresh_token, cfg.lwa_client_secret, signature):
        assert secret not in caplog.text  # ...redacted
    assert "[redacted]" in caplog.text


# ----- reports -------------------------------------------------------------------------------------
FLAT = {
    "GET_MERCHANT_LISTINGS_ALL_DATA": "item-name",
    "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA": "sku",
    "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA": "sku",
    "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL": "amazon-order-id",
    "GET_MERCHANTS_LISTINGS_FYP_REPORT": "Status",
}


@pytest.mark.parametrize("sandbox", [{"compression": "all"}], indirect=True)
@pytest.mark.parametrize("report_type", sorted(FLAT) + ["GET_SALES_AND_TRAFFIC_REPORT",
                                                        "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT"])
def test_every_report_type_goes_create_poll_document_download(sandbox, report_type):
    client = reports_client(config_for(sandbox))
    kwargs = {}
    if report_type == "GET_SALES_AND_TRAFFIC_REPORT":
        kwargs = {"dataStartTime": "2026-06-29", "dataEndTime": "2026-06-29",
                  "reportOptions": {"dateGranularity": "DAY", "asinGranularity": "SKU"}}
    elif report_type == "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT":
        kwargs = {"dataStartTime": "2026-06-21", "dataEndTime": "2026-06-27", "reportOptions": {"reportPeriod": "WEEK"}}
    elif report_type == "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL":
        kwargs = {"dataStartTime": dt.datetime(2026, 6, 20, tzinfo=dt.timezone.utc)}
    report, seen = run_report(client, report_type, **kwargs)
    assert seen == ["IN_QUEUE", "IN_PROGRESS", "DONE"]
    assert report["reportType"] == report_type and report["marketplaceIds"] == [UK]
    info, raw = fetch_raw(client, report["reportDocumentId"])
    assert info["compressionAlgorithm"] == "GZIP" and raw.content[:2] == b"\x1f\x8b"
    body = gzip.decompress(raw.content)
    text = body.decode("utf-8")
    decoded = client.get_report_document(report["reportDocumentId"], download=True).payload["document"]
    # No charset in Content-Type: the library gunzips, then decodes as iso-8859-1 (so '£' turns into 'Â£').
    assert decoded.encode("iso-8859-1") == body
    if report_type in FLAT:
        assert text.split("\t", 1)[0] == FLAT[report_type]
    else:
        assert json.loads(text)["reportSpecification"]["reportType"] == report_type


def test_sales_and_traffic_matches_the_sample_and_the_world(sandbox):
    client = reports_client(config_for(sandbox))
    report, _ = run_report(client, "GET_SALES_AND_TRAFFIC_REPORT", dataStartTime="2026-06-28T00:00:00Z",
                           dataEndTime="2026-06-28T23:59:59Z",
                           reportOptions={"dateGranularity": "DAY", "asinGranularity": "SKU"})
    doc = json.loads(client.get_report_document(report["reportDocumentId"], download=True).payload["document"])
    sample = json.loads((SAMPLES / "amzn_schema_example_GET_SALES_AND_TRAFFIC_REPORT_DAY_SKU.json").read_text())
    assert_same_shape(shape(doc), shape(sample))
    assert doc["reportSpecification"]["reportOptions"] == {"dateGranularity": "DAY", "asinGranularity": "SKU"}
    assert [d["date"] for d in doc["salesAndTrafficByDate"]] == ["2026-06-28"]
    world = sandbox.world
    traffic = world.day(dt.date(2026, 6, 28))
    by_date = doc["salesAndTrafficByDate"][0]
    assert by_date["trafficByDate"]["sessions"] == int(traffic.sessions.sum())
    assert by_date["salesByDate"]["unitsOrdered"] == int(traffic.units.sum())
    assert by_date["salesByDate"]["orderedProductSales"]["currencyCode"] == "GBP"
    rows = doc["salesAndTrafficByAsin"]
    assert rows and all("date" not in r for r in rows)
    for row in rows:
        lst = world.by_sku[row["sku"]]
        assert row["childAsin"] == lst.asin and row["parentAsin"] == lst.parent_asin
        assert row["trafficByAsin"]["sessions"] == traffic.sessions[lst.idx]
        assert row["salesByAsin"]["unitsOrdered"] == traffic.units[lst.idx]
        for key, value in row["trafficByAsin"].items():
            if key.endswith("Percentage"):
                assert 0 <= value <= 100, key
    assert sum(r["trafficByAsin"]["sessionPercentage"] for r in rows) == pytest.approx(100, abs=1)


def test_search_terms_report_matches_the_sample(sandbox):
    client = reports_client(config_for(sandbox))
    report, _ = run_report(client, "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT", dataStartTime="2026-06-14",
                           dataEndTime="2026-06-20", reportOptions={"reportPeriod": "WEEK"})
    doc = json.loads(client.get_report_document(report["reportDocumentId"], download=True).payload["document"])
    sample = json.loads((SAMPLES / "amzn_schema_example_GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT.json").read_text())
    assert_same_shape(shape(doc), shape(sample))
    rows = doc["dataByDepartmentAndSearchTerm"]
    own = {x.asin for x in sandbox.world.listings}
    assert any(r["clickedAsin"] in own for r in rows) and any(r["clickedAsin"] not in own for r in rows)
    terms = {}
    for r in rows:
        terms.setdefault(r["searchTerm"], []).append(r)
    assert all([x["clickShareRank"] for x in t] == list(range(1, len(t) + 1)) for t in terms.values())
    assert doc["reportSpecification"]["dataStartTime"] == "2026-06-14"


def test_get_reports_pages_with_next_token_alone(sandbox):
    client = reports_client(config_for(sandbox))
    created = {client.create_report(reportType="GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA").payload["reportId"]
               for _ in range(5)}
    first = client.get_reports(reportTypes=["GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"], pageSize=2,
                               processingStatuses=["IN_QUEUE"])
    seen = [r["reportId"] for r in first.payload["reports"]]
    token = first.next_token
    pages = 1
    while token:
        page = client.get_reports(nextToken=token)
        seen += [r["reportId"] for r in page.payload["reports"]]
        token, pages = page.next_token, pages + 1
    assert pages == 3 and set(seen) == created and len(seen) == 5
    with pytest.raises(SellingApiBadRequestException):
        httpx_token = client.get_reports(reportTypes=["GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"], pageSize=1).next_token
        client.get_reports(nextToken=httpx_token, pageSize=1)
    with pytest.raises(SellingApiBadRequestException):
        client.get_reports()  # neither reportTypes nor nextToken


def test_listing_patch_changes_later_reports_and_preview_changes_nothing(sandbox):
    cfg = config_for(sandbox)
    world = sandbox.world
    lst = next(x for x in world.listings if x.buyable and x.fulfilment == "AFN")
    listings, reports = listings_client(cfg), reports_client(cfg)
    old_price = world.current_price(lst.idx)
    offer = [{"marketplace_id": UK, "currency": "GBP", "our_price": [{"schedule": [{"value_with_tax": 13.37}]}]}]
    body = {"productType": lst.product_type, "patches": [{"op": "replace", "path": "/attributes/purchasable_offer",
                                                          "value": offer}]}
    preview = listings.patch_listings_item(cfg.seller_id, lst.sku, body=body, mode="VALIDATION_PREVIEW")
    assert preview.payload["status"] == "VALID"
    assert world.current_price(lst.idx) == old_price != 13.37
    bad = {"productType": lst.product_type, "patches": [{"op": "replace", "path": "/attributes/purchasable_offer",
                                                         "value": [{**offer[0], "our_price": [{"schedule": [{"value_with_tax": -1}]}]}]}]}
    invalid = listings.patch_listings_item(cfg.seller_id, lst.sku, body=bad)
    assert invalid.payload["status"] == "INVALID" and invalid.payload["issues"][0]["severity"] == "ERROR"
    assert world.current_price(lst.idx) == old_price
    accepted = listings.patch_listings_item(cfg.seller_id, lst.sku, body=body)
    assert accepted.payload["status"] == "ACCEPTED" and accepted.payload["submissionId"]
    item = listings.get_listings_item(cfg.seller_id, lst.sku, includedData="offers,attributes").payload
    assert item["offers"][0]["price"] == {"currencyCode": "GBP", "amount": "13.37"}
    report, _ = run_report(reports, "GET_MERCHANT_LISTINGS_ALL_DATA")
    text = reports.get_report_document(report["reportDocumentId"], download=True).payload["document"]
    header, *rows = [line.split("\t") for line in text.splitlines()]
    row = next(r for r in rows if r[header.index("seller-sku")] == lst.sku)
    assert row[header.index("price")] == "13.37"
    title_patch = {"productType": lst.product_type, "patches": [{"op": "replace", "path": "/attributes/item_name",
                                                                 "value": [{"value": "Renamed Trade Hacksaw 12\"",
                                                                            "marketplace_id": UK}]}]}
    assert listings.patch_listings_item(cfg.seller_id, lst.sku, body=title_patch).payload["status"] == "ACCEPTED"
    cat = catalog_client(cfg).get_catalog_item(lst.asin, includedData="attributes,summaries").payload
    assert cat["attributes"]["item_name"][0]["value"] == 'Renamed Trade Hacksaw 12"'
    changes = [c for c in world.ground_truth()["changes"] if c.get("origin") == "listings_api"]
    assert {c["fields_changed"][0] for c in changes} == {"price", "title"}


def test_listings_item_shows_suppression_issues_with_enforcements():
    probe = small_world(listing_count=120)
    ev = probe.events
    hit = None
    for b in range(block_of(END.toordinal()) - 3, block_of(END.toordinal()) + 1):
        for idx in range(probe.listing_count):
            start = int(ev.sup_start[b, idx])
            if start >= 0 and probe.listings[idx].open_date.toordinal() < start - 60:
                hit = (idx, dt.date.fromordinal(start))
                break
        if hit:
            break
    assert hit, "no suppression planted near the window"
    idx, start = hit
    world = small_world(listing_count=120, end_date=start + dt.timedelta(days=0))  # today = day after start
    with SandboxServer(world) as server:
        cfg = config_for(server)
        lst = world.listings[idx]
        item = listings_client(cfg).get_listings_item(cfg.seller_id, lst.sku, includedData="summaries,issues").payload
        errors = [i for i in item["issues"] if i["severity"] == "ERROR"]
        assert errors and errors[0]["enforcements"]["actions"] == [{"action": "SEARCH_SUPPRESSED"}]
        assert "DISCOVERABLE" not in item["summaries"][0]["status"]
        report, _ = run_report(reports_client(cfg), "GET_MERCHANTS_LISTINGS_FYP_REPORT")
        text = reports_client(cfg).get_report_document(report["reportDocumentId"], download=True).payload["document"]
        assert lst.sku in text
    with pytest.raises(SellingApiForbiddenException):
        with SandboxServer(world) as server:
            listings_client(config_for(server)).get_listings_item("A1SOMEONEELSE", lst.sku)


def test_catalog_item_matches_the_sample(sandbox):
    cfg = config_for(sandbox)
    world = sandbox.world
    lst = next(x for x in world.listings if x.buyable and x.description)
    item = catalog_client(cfg).get_catalog_item(
        lst.asin, includedData="attributes,images,salesRanks,summaries").payload
    sample = json.loads((SAMPLES / "amzn_model_example_catalogItems_2022-04-01_getCatalogItem.json").read_text())
    for section in ("images", "salesRanks", "summaries"):
        sample_section = [{k: v for k, v in sample[section][0].items() if k in item[section][0]}]
        assert_same_shape(shape(item[section]), shape(sample_section))
    for attr in ("item_name", "bullet_point", "brand"):
        assert_same_shape(shape(item["attributes"][attr]), [{"language_tag": "str", "value": "str",
                                                             "marketplace_id": "str"}])
    content = world.content_on(lst.idx)
    assert item["attributes"]["item_name"][0]["value"] == content["title"]
    assert item["attributes"]["generic_keyword"][0]["value"] == content["search_terms"]
    assert item["attributes"]["product_description"][0]["value"] == content["description"]
    main = [i for i in item["images"][0]["images"] if i["variant"] == "MAIN"]
    assert max(i["width"] for i in main) == lst.images[0]["width"]
    assert item["salesRanks"][0]["classificationRanks"][0]["rank"] > 0
    assert set(item) == {"asin", "attributes", "images", "salesRanks", "summaries"}
    with pytest.raises(SellingApiNotFoundException):
        catalog_client(cfg).get_catalog_item("B0NOTMINE1")


def test_fees_estimate_in_gbp(sandbox):
    cfg = config_for(sandbox)
    lst = next(x for x in sandbox.world.listings if x.fulfilment == "AFN")
    client = fees_client(cfg)
    result = client.get_product_fees_estimate_for_sku(lst.sku, price=20.0, currency="GBP", is_fba=True).payload
    est = result["FeesEstimateResult"]
    assert est["Status"] == "Success"
    fees = {f["FeeType"]: f["FinalFee"] for f in est["FeesEstimate"]["FeeDetailList"]}
    assert fees["ReferralFee"] == {"CurrencyCode": "GBP", "Amount": 2.65}
    assert fees["FBAFees"]["Amount"] > 0
    assert est["FeesEstimate"]["TotalFeesEstimate"]["Amount"] == pytest.approx(2.65 + fees["FBAFees"]["Amount"])
    usd = client.get_product_fees_estimate_for_sku(lst.sku, price=20.0, is_fba=True).payload  # library default USD
    assert usd["FeesEstimateResult"]["Status"] == "ClientError"


def test_competitive_pricing_and_featured_offer(sandbox):
    cfg = config_for(sandbox)
    world = sandbox.world
    skus = [x.sku for x in world.listings if x.buyable][:3]
    comp = pricing_client(cfg).get_competitive_pricing_for_skus(skus).payload
    assert [p["SellerSKU"] for p in comp] == skus and all(p["status"] == "Success" for p in comp)
    price = comp[0]["Product"]["CompetitivePricing"]["CompetitivePrices"][0]["Price"]["LandedPrice"]
    assert price["CurrencyCode"] == "GBP" and price["Amount"] > 0
    batch = [{"uri": "/products/pricing/2022-05-01/offer/featuredOfferExpectedPrice", "method": "GET",
              "marketplaceId": UK, "sku": s} for s in skus + ["NO-SUCH-SKU"]]
    foep = featured_offer_client(cfg).get_featured_offer_expected_price_batch(batch).payload["responses"]
    assert [r["status"]["statusCode"] for r in foep] == [200, 200, 200, 404]
    body = foep[0]["body"]["featuredOfferExpectedPriceResults"][0]
    assert body["featuredOfferExpectedPrice"]["listingPrice"]["currencyCode"] == "GBP"


def test_aplus_documents_and_publish_records(sandbox):
    client = aplus_client(config_for(sandbox))
    docs = client.search_content_documents(marketplaceId=UK).payload["contentMetadataRecords"]
    assert docs and {d["contentMetadata"]["status"] for d in docs} <= {"APPROVED", "DRAFT", "REJECTED"}
    approved = next(d for d in sandbox.world.aplus_documents() if d["status"] == "APPROVED")
    records = client.search_content_publish_records(marketplaceId=UK, asin=approved["asins"][0]).payload
    assert records["publishRecordList"][0]["contentReferenceKey"] == approved["contentReferenceKey"]
    for lst in sandbox.world.listings:  # published A+ exactly where the listing has A+
        records = client.search_content_publish_records(marketplaceId=UK, asin=lst.asin).payload
        assert bool(records["publishRecordList"]) == lst.has_aplus, lst.sku


# ----- failure modes -------------------------------------------------------------------------------
@pytest.mark.parametrize("sandbox", [{"throttle": {"createReport": {"first_n": 1}, "getReport": {"fraction": 0.5}}}],
                         indirect=True)
def test_throttling_raises_the_library_exception_with_the_rate_header(sandbox):
    client = reports_client(config_for(sandbox))
    with pytest.raises(SellingApiRequestThrottledException) as info:
        client.create_report(reportType="GET_MERCHANT_LISTINGS_ALL_DATA")
    assert info.value.headers["x-amzn-RateLimit-Limit"] == "0.0167"
    report_id = client.create_report(reportType="GET_MERCHANT_LISTINGS_ALL_DATA").payload["reportId"]
    outcomes = []
    for _ in range(4):  # fraction 0.5: every second getReport is throttled
        try:
            client.get_report(report_id)
            outcomes.append("ok")
        except SellingApiRequestThrottledException as exc:
            assert exc.headers["x-amzn-RateLimit-Limit"] == "2.0"
            outcomes.append("429")
    assert outcomes == ["ok", "429", "ok", "429"]


def test_server_errors_and_runtime_fault_switching(sandbox):
    client = reports_client(config_for(sandbox))
    switched = httpx.post(f"{sandbox.base_url}/_sandbox/faults",
                          json={"server_errors": {"getReports": {"first_n": 2, "status": 503}}})
    assert switched.status_code == 200
    for _ in range(2):
        with pytest.raises(SellingApiTemporarilyUnavailableException):
            client.get_reports(reportTypes=["GET_MERCHANT_LISTINGS_ALL_DATA"])
    assert client.get_reports(reportTypes=["GET_MERCHANT_LISTINGS_ALL_DATA"]).payload["reports"] == []
    assert httpx.post(f"{sandbox.base_url}/_sandbox/faults", json={"bogus": 1}).status_code == 400


@pytest.mark.parametrize("sandbox", [{"report_outcomes": {"GET_MERCHANT_LISTINGS_ALL_DATA": "CANCELLED",
                                                          "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA":
                                                              {"status": "FATAL", "first_n": 1}}}], indirect=True)
def test_reports_can_end_cancelled_or_fatal(sandbox):
    client = reports_client(config_for(sandbox))
    cancelled, _ = run_report(client, "GET_MERCHANT_LISTINGS_ALL_DATA")
    assert cancelled["processingStatus"] == "CANCELLED" and "reportDocumentId" not in cancelled
    fatal, _ = run_report(client, "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA")
    assert fatal["processingStatus"] == "FATAL"
    detail = client.get_report_document(fatal["reportDocumentId"], download=True).payload["document"]
    assert "errorDetails" in detail
    retry, _ = run_report(client, "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA")
    assert retry["processingStatus"] == "DONE"
    future, _ = run_report(client, "GET_SALES_AND_TRAFFIC_REPORT", dataStartTime="2027-01-01",
                           dataEndTime="2027-01-01", reportOptions={"asinGranularity": "SKU"})
    assert future["processingStatus"] == "CANCELLED"  # no data for the period


@pytest.mark.parametrize("sandbox", [{"document_encoding": "cp1252"}], indirect=True)
def test_cp1252_documents_carry_a_pound_sign_that_utf8_cannot_read(sandbox):
    client = reports_client(config_for(sandbox))
    report, _ = run_report(client, "GET_MERCHANT_LISTINGS_ALL_DATA")
    info, raw = fetch_raw(client, report["reportDocumentId"])
    assert "compressionAlgorithm" not in info and raw.headers["content-type"] == "text/plain"
    assert b"\xa3" in raw.content
    with pytest.raises(UnicodeDecodeError):
        raw.content.decode("utf-8")
    assert "£" in raw.content.decode("cp1252")


@pytest.mark.parametrize("sandbox", [{"document_encoding": "utf-8-sig", "document_charset_header": True}],
                         indirect=True)
def test_utf8_with_bom_and_charset_header(sandbox):
    client = reports_client(config_for(sandbox))
    report, _ = run_report(client, "GET_MERCHANT_LISTINGS_ALL_DATA")
    _, raw = fetch_raw(client, report["reportDocumentId"])
    assert raw.content.startswith(b"\xef\xbb\xbf") and raw.headers["content-type"] == "text/plain; charset=UTF-8"
    assert "£" in raw.content.decode("utf-8-sig")


@pytest.mark.parametrize("sandbox", [{"fulfilment_header": "fulfillment-channel", "deprecated_columns": True,
                                      "missing_status": True, "b2b_columns": True, "stray_quotes": True}],
                         indirect=True)
def test_merchant_listings_header_variants(sandbox):
    client = reports_client(config_for(sandbox))
    report, _ = run_report(client, "GET_MERCHANT_LISTINGS_ALL_DATA")
    text = client.get_report_document(report["reportDocumentId"], download=True).payload["document"]
    lines = text.splitlines()
    header = lines[0].split("\t")
    assert "fulfillment-channel" in header and "fulfilment-channel" not in header
    assert header.count("Deprecated column") >= 3 and "status" not in header and "Business Price" in header
    assert all(len(line.split("\t")) == len(header) for line in lines[1:])
    assert any(line.startswith('"') for line in lines[1:])
    with pytest.raises(csv.Error):  # a naive quoting reader trips over the stray quotes
        list(csv.reader(io.StringIO(text), delimiter="\t", strict=True))


def test_default_uk_headers_and_day_first_open_dates(sandbox):
    client = reports_client(config_for(sandbox))
    report, _ = run_report(client, "GET_MERCHANT_LISTINGS_ALL_DATA")
    text = client.get_report_document(report["reportDocumentId"], download=True).payload["document"]
    header, first = (line.split("\t") for line in text.splitlines()[:2])
    assert "fulfilment-channel" in header and header[-1] == "status"
    assert first[header.index("open-date")][-3:] in ("BST", "GMT") and first[header.index("open-date")][2] == "/"


@pytest.mark.parametrize("sandbox", [{"late_traffic_days": 3}], indirect=True)
def test_late_traffic_is_revised_upward_on_the_next_pull(sandbox):
    client = reports_client(config_for(sandbox))

    def sessions(day: str) -> int:
        report, _ = run_report(client, "GET_SALES_AND_TRAFFIC_REPORT", dataStartTime=day, dataEndTime=day,
                               reportOptions={"asinGranularity": "SKU"})
        doc = json.loads(client.get_report_document(report["reportDocumentId"], download=True).payload["document"])
        return doc["salesAndTrafficByDate"][0]["trafficByDate"]["sessions"]

    first, second = sessions("2026-06-30"), sessions("2026-06-30")
    assert first < second == int(sandbox.world.day(END).sessions.sum())
    old_first, old_second = sessions("2026-06-20"), sessions("2026-06-20")
    assert old_first == old_second  # days older than the late window are final at once


@pytest.mark.parametrize("sandbox", [{"document_url_ttl_seconds": -1}], indirect=True)
def test_document_urls_expire(sandbox):
    client = reports_client(config_for(sandbox))
    report, _ = run_report(client, "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA")
    _, raw = fetch_raw(client, report["reportDocumentId"])
    assert raw.status_code == 403 and b"Request has expired" in raw.content


# ----- sandbox-only endpoints --------------------------------------------------------------------------
def test_inventory_spreadsheets_and_ground_truth(sandbox):
    files = {}
    for name in ("suppliers", "components", "component_prices", "bill_of_materials"):
        resp = httpx.get(f"{sandbox.base_url}/_sandbox/inventory/{name}.csv")
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
        files[name] = list(csv.DictReader(io.StringIO(resp.text)))
    assert {"supplier_code", "import_duty_pct"} <= set(files["suppliers"][0])
    skus = {x.sku for x in sandbox.world.listings}
    assert {r["listing_sku"] for r in files["bill_of_materials"]} <= skus
    components = {r["component_sku"] for r in files["components"]}
    assert {r["component_sku"] for r in files["component_prices"]} == components
    truth = httpx.get(f"{sandbox.base_url}/_sandbox/ground-truth").json()
    assert truth["changes"] and truth["listings"][0]["sku"] == sandbox.world.listings[0].sku
    moved = httpx.post(f"{sandbox.base_url}/_sandbox/advance-day", json={"days": 2}).json()
    assert moved["end_date"] == "2026-07-02"


@pytest.mark.parametrize("sandbox", [{"delay_seconds": {"getCatalogItem": 1.0}}], indirect=True)
def test_slow_responses_hit_the_client_timeout(sandbox):
    asin = next(x.asin for x in sandbox.world.listings if x.buyable)
    with pytest.raises(httpx.ReadTimeout):
        catalog_client(config_for(sandbox, timeout=0.2)).get_catalog_item(asin)
    assert catalog_client(config_for(sandbox, timeout=5)).get_catalog_item(asin).payload["asin"] == asin


@pytest.mark.parametrize("sandbox", [{"late_traffic_days": 2, "late_traffic_mode": "as_of"}], indirect=True)
def test_late_traffic_as_of_is_revised_when_days_pass(sandbox):
    client = reports_client(config_for(sandbox))

    def units_and_sessions() -> tuple[int, int]:
        report, _ = run_report(client, "GET_SALES_AND_TRAFFIC_REPORT", dataStartTime="2026-06-30",
                               dataEndTime="2026-06-30", reportOptions={"asinGranularity": "SKU"})
        doc = json.loads(client.get_report_document(report["reportDocumentId"], download=True).payload["document"])
        day = doc["salesAndTrafficByDate"][0]
        return day["salesByDate"]["unitsOrdered"], day["trafficByDate"]["sessions"]

    full = sandbox.world.day(END)
    first, again = units_and_sessions(), units_and_sessions()
    assert first == again and first[1] < int(full.sessions.sum())  # still one day old: still partial
    httpx.post(f"{sandbox.base_url}/_sandbox/advance-day", json={"days": 3})
    assert units_and_sessions() == (int(full.units.sum()), int(full.sessions.sum()))
