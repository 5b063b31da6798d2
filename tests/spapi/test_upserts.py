"""Upserts from landed sandbox reports into listings, prices, content versions, stock, fees, status and keywords."""

from __future__ import annotations

import json
from decimal import Decimal


from orchestration.sandbox import reports
from orchestration.sandbox.faults import Faults
from orchestration.sandbox.reports import ReportSpec
from orchestration.spapi import upserts
from sandbox_landing import (FBA_FEES, FBA_INVENTORY, MERCHANT_LISTINGS, SEARCH_TERMS, SUPPRESSED, fingerprint,
                             ingest_catalog, land, listing_ids, sandbox_world)

GBP = Decimal("0.01")


def _listed(conn, world, faults: Faults | None = None) -> str:
    document = land(conn, MERCHANT_LISTINGS, reports.merchant_listings(world, faults or Faults()))
    upserts.upsert_listings(conn, document, run_id="run-listings")
    return document


def _price(world, sku: str) -> Decimal:
    return Decimal(str(world.current_price(world.by_sku[sku].idx))).quantize(GBP)


def test_listings_land_with_the_worlds_values_and_a_rerun_changes_nothing(conn, world):
    document = land(conn, MERCHANT_LISTINGS, reports.merchant_listings(world, Faults()))
    counts = upserts.upsert_listings(conn, document, run_id="run-1")
    assert counts["inserted"] == 30 and counts["quarantined"] == 0

    row = conn.execute("select l.asin, l.title, l.status, l.fulfillment_channel, l.condition_type, p.price, "
                       "l.last_synced_at is not null, l.sp_api_hash from catalog.listings l "
                       "join pricing.current_prices p on p.listing_id = l.id where l.sku = 'M-CLL-0010'").fetchone()
    fba = world.by_sku["M-CLL-0010"]
    assert row[:6] == (fba.asin, world.content_on(fba.idx)["title"], "active", "FBA", "new_new", _price(world, "M-CLL-0010"))
    assert row[6] and len(row[7]) == 64
    fbm = conn.execute("select fulfillment_channel, asin from catalog.listings where sku = 'M-CLL-0010-FBM'").fetchone()
    assert fbm == ("FBM", fba.asin)  # two SKUs, one ASIN
    # Variation parents have no price: a listing without a current price row.
    assert conn.execute("select count(*) from pricing.current_prices").fetchone()[0] == 25
    audit = conn.execute("select action, changes, source, source_id from system.audit_log a "
                         "join catalog.listings l on l.id = a.entity_id where l.sku = 'B-J-0014'").fetchall()
    assert audit == [("create", {"asin": {"old": None, "new": "B0NPT92G60"},
                                 "title": {"old": None, "new": world.content_on(24)["title"]},
                                 "status": {"old": None, "new": "active"},
                                 "fulfillment_channel": {"old": None, "new": "FBM"},
                                 "condition_type": {"old": None, "new": "new_new"},
                                 "price": {"old": None, "new": float(_price(world, "B-J-0014"))}},
                      "sp_api_sync", "run-1")]
    # One history row per priced listing, in its month's partition.
    assert conn.execute("select tableoid::regclass::text, count(*) from pricing.price_history group by 1").fetchall() \
        == [(f"pricing.price_history_p{conn.execute('select to_char(now(), %s)', ('YYYYMM',)).fetchone()[0]}", 25)]

    before = fingerprint(conn)
    again = upserts.upsert_listings(conn, document, run_id="run-2")
    assert again == {**again, "inserted": 0, "updated": 0, "unchanged": 30, "prices_changed": 0, "price_history_rows": 0}
    assert fingerprint(conn) == before


def test_a_price_change_adds_one_history_row_and_an_audit_row_and_an_old_document_cannot_undo_it(conn, world):
    first = _listed(conn, world)
    sku = "HC-CLL-0012"
    old_price, new_price = _price(world, sku), Decimal("17.49")
    touched_before = dict(conn.execute("select sku, updated_at from catalog.listings").fetchall())

    world.apply_edit(sku, {"price": float(new_price)})
    second = land(conn, MERCHANT_LISTINGS, reports.merchant_listings(world, Faults()))
    counts = upserts.upsert_listings(conn, second, run_id="run-price")
    assert (counts["updated"], counts["prices_changed"], counts["price_history_rows"]) == (1, 1, 1)

    history = conn.execute("select h.price, h.source from pricing.price_history h join catalog.listings l "
                           "on l.id = h.listing_id where l.sku = %s order by h.time", (sku,)).fetchall()
    assert history == [(old_price, "sp_api"), (new_price, "sp_api")]
    assert conn.execute("select p.price from pricing.current_prices p join catalog.listings l on l.id = p.listing_id "
                        "where l.sku = %s", (sku,)).fetchone()[0] == new_price
    audit = conn.execute("select changes from system.audit_log where action = 'update' and source_id = 'run-price'").fetchall()
    assert audit == [({"price": {"old": float(old_price), "new": float(new_price)}},)]
    # A price is not a listing field: no listing's updated_at moved.
    assert dict(conn.execute("select sku, updated_at from catalog.listings").fetchall()) == touched_before

    snapshot = fingerprint(conn)
    assert upserts.upsert_listings(conn, second)["price_history_rows"] == 0
    replay = upserts.upsert_listings(conn, first)  # the older document: every listing is stale
    assert replay["stale"] == 30 and replay["prices_changed"] == 0
    assert fingerprint(conn) == snapshot


def test_a_file_without_the_status_column_keeps_the_status_and_bad_rows_are_quarantined(conn, world):
    _listed(conn, world)
    conn.execute("update catalog.listings set status = 'inactive' where sku = 'B-J-0014'")
    text = reports.merchant_listings(world, Faults(missing_status=True))
    lines = text.splitlines()
    lines[3] = lines[3].replace(world.listings[2].asin, "NOT-AN-ASIN")  # line 4 of the file: the third listing
    document = land(conn, MERCHANT_LISTINGS, "\n".join(lines) + "\n")

    counts = upserts.upsert_listings(conn, document)
    assert counts["quarantined"] == 1 and counts["updated"] == 0
    assert conn.execute("select status from catalog.listings where sku = 'B-J-0014'").fetchone()[0] == "inactive"
    assert conn.execute("select count(*) from catalog.listings where status = 'active'").fetchone()[0] == 29
    assert conn.execute("select source_document_id, line_number, field, value, reason from raw.quarantine").fetchall() == [
        (document, 4, "asin", "NOT-AN-ASIN", "asin 'NOT-AN-ASIN' is not a 10-character ASIN")]
    upserts.upsert_listings(conn, document)
    assert conn.execute("select count(*) from raw.quarantine").fetchone()[0] == 1


def _content(conn, sku: str):
    return conn.execute("select title, bullet_points, description, search_terms, brand, browse_node_id, "
                        "category_path from catalog.listings where sku = %s", (sku,)).fetchone()


def test_catalog_content_is_versioned_once_per_change_for_every_offer_of_the_asin(conn, world):
    _listed(conn, world)
    assert ingest_catalog(conn, world) == 29
    counts = upserts.upsert_catalog_content(conn, run_id="run-content")
    assert counts["versions_created"] == 30 and counts["listings_matched"] == 30

    fba = world.by_sku["M-CLL-0010"]
    launch = world.content_on(fba.idx)
    expected = (launch["title"], launch["bullets"], launch["description"], [launch["search_terms"]], fba.brand)
    assert _content(conn, "M-CLL-0010")[:5] == expected
    assert _content(conn, "M-CLL-0010-FBM")[:5] == expected  # the FBM offer of the same ASIN
    assert _content(conn, "M-CLL-0010")[6] == ["DIY & Tools", fba.category_display]
    no_description = [x.sku for x in world.listings if world.content_on(x.idx)["description"] is None]
    assert no_description == ["WF-J-0005"]
    assert _content(conn, "WF-J-0005")[2] is None  # missing on Amazon: NULL, never ''
    main = conn.execute("select i.url, i.width, i.url_thumb from catalog.listing_images i join catalog.listings l "
                        "on l.id = i.listing_id where l.sku = 'M-CLL-0010' and i.image_type = 'main'").fetchone()
    assert main == (fba.images[0]["link"], fba.images[0]["width"],
                    fba.images[0]["link"].replace(".jpg", "._SL500_.jpg") if fba.images[0]["width"] > 500 else None)
    assert conn.execute("select count(*) from catalog.listing_images i join catalog.listings l on l.id = i.listing_id "
                        "where l.sku = 'M-CLL-0010'").fetchone()[0] == len(fba.images)

    before = fingerprint(conn)
    ingest_catalog(conn, world)  # a fresh pull with the same content
    assert upserts.upsert_catalog_content(conn)["versions_created"] == 0
    assert fingerprint(conn) == before

    # One listing's search terms change on Amazon: exactly one new version and one audit row.
    world.apply_edit("B-J-0014", {"search_terms": "jigsaw blades scroll saw"})
    ingest_catalog(conn, world)
    assert upserts.upsert_catalog_content(conn, run_id="run-terms")["versions_created"] == 1
    assert conn.execute("select l.sku, v.version_number, v.search_terms, v.change_reason from catalog.listing_versions v "
                        "join catalog.listings l on l.id = v.listing_id where v.version_number > 1").fetchall() \
        == [("B-J-0014", 2, ["jigsaw blades scroll saw"], "changed on Amazon: search_terms")]
    assert conn.execute("select a.changes -> 'search_terms' ->> 'new' from system.audit_log a "
                        "where a.source_id = 'run-terms'").fetchall() == [('["jigsaw blades scroll saw"]',)]

    new_title, new_bullets = "Halden Laser Level, Green Beam, 30 m", ["BRIGHT: green beam", "TOUGH: IP54"]
    world.apply_edit("M-CLL-0010", {"title": new_title, "bullets": new_bullets})
    ingest_catalog(conn, world)
    assert upserts.upsert_catalog_content(conn, run_id="run-edit")["versions_created"] == 2  # FBA and FBM offers
    versions = conn.execute(
        "select l.sku, v.version_number, v.title, v.bullet_points, v.change_type, v.change_source, v.change_reason "
        "from catalog.listing_versions v join catalog.listings l on l.id = v.listing_id "
        "where v.version_number > 1 and l.sku like 'M-CLL%' order by l.sku").fetchall()
    reason = "changed on Amazon: title, bullet_points"
    assert versions == [("M-CLL-0010", 2, new_title, new_bullets, "sync", "sp_api_sync", reason),
                        ("M-CLL-0010-FBM", 2, new_title, new_bullets, "sync", "sp_api_sync", reason)]
    audit = conn.execute("select a.changes from system.audit_log a join catalog.listings l on l.id = a.entity_id "
                         "where a.source_id = 'run-edit' and l.sku = 'M-CLL-0010'").fetchall()
    assert audit == [({"title": {"old": launch["title"], "new": new_title},
                       "bullet_points": {"old": launch["bullets"], "new": new_bullets}},)]
    ingest_catalog(conn, world)
    assert upserts.upsert_catalog_content(conn)["versions_created"] == 0


def test_once_content_is_versioned_the_listings_report_does_not_rewrite_the_title(conn, world):
    _listed(conn, world)
    world.apply_edit("B-J-0014", {"title": "Brackenforge Jigsaw 750W"})
    ingest_catalog(conn, world)
    upserts.upsert_catalog_content(conn)
    stale_title_report = reports.merchant_listings(sandbox_world(), Faults())  # a world without the edit
    counts = upserts.upsert_listings(conn, land(conn, MERCHANT_LISTINGS, stale_title_report))
    assert counts["updated"] == 0  # two writers of the title would flip it on every run
    assert conn.execute("select title from catalog.listings where sku = 'B-J-0014'").fetchone()[0] \
        == "Brackenforge Jigsaw 750W"


def test_a_listing_that_loses_content_keeps_null_and_gets_a_version(conn, world):
    _listed(conn, world)
    ingest_catalog(conn, world)
    upserts.upsert_catalog_content(conn)

    def without_description(asin, payload):
        if asin == world.by_sku["SW-HDB-0013"].asin:
            del payload["attributes"]["product_description"]
            payload["images"][0]["images"] = payload["images"][0]["images"][:1]  # only the main image left
        return payload

    ingest_catalog(conn, world, without_description)
    counts = upserts.upsert_catalog_content(conn)
    assert (counts["versions_created"], counts["image_sets_replaced"]) == (1, 1)
    assert _content(conn, "SW-HDB-0013")[2] is None
    assert conn.execute("select v.change_reason, v.description from catalog.listing_versions v join catalog.listings l "
                        "on l.id = v.listing_id where l.sku = 'SW-HDB-0013' and v.version_number = 2").fetchone() \
        == ("changed on Amazon: description", None)
    assert conn.execute("select array_agg(i.image_type) from catalog.listing_images i join catalog.listings l "
                        "on l.id = i.listing_id where l.sku = 'SW-HDB-0013'").fetchone()[0] == ["main"]


def _suppressed_report(world, skus: list[str]) -> str:
    header = ["Status", "Reason", "SKU", "ASIN", "Product name", "Condition", "Status Change Date", "Issue Description"]
    rows = [["Inactive", "Missing main image", sku, world.by_sku[sku].asin if sku in world.by_sku else "B000000000",
             "x", "New", "2026-06-28",
             "The main image is missing"] for sku in skus]
    return reports.tsv(header, rows)


def test_suppression_is_set_and_lifted_back_to_the_previous_status(conn, world):
    listings = _listed(conn, world)
    first = land(conn, SUPPRESSED, _suppressed_report(world, ["B-J-0014", "NO-SUCH-SKU"]))
    counts = upserts.upsert_suppressed(conn, first, run_id="run-sup")
    assert (counts["suppressed"], counts["unknown_sku"], counts["restored"]) == (1, 1, 0)
    assert conn.execute("select status from catalog.listings where sku = 'B-J-0014'").fetchone()[0] == "suppressed"
    assert conn.execute("select field, value, reason from raw.quarantine").fetchall() == [
        ("sku", "NO-SUCH-SKU", "unknown SKU NO-SUCH-SKU in marketplace A1F83G8C2ARO7P: not in catalog.listings")]
    before = fingerprint(conn)
    assert upserts.upsert_suppressed(conn, first)["suppressed"] == 0
    upserts.upsert_listings(conn, listings)  # the listings report says Active: suppression stays
    assert fingerprint(conn) == before

    second = land(conn, SUPPRESSED, _suppressed_report(world, []))
    assert upserts.upsert_suppressed(conn, second, run_id="run-lift")["restored"] == 1
    assert conn.execute("select status from catalog.listings where sku = 'B-J-0014'").fetchone()[0] == "active"
    changes = conn.execute("select changes from system.audit_log where source_id = 'run-lift'").fetchall()
    assert changes == [({"status": {"old": "suppressed", "new": "active"}},)]
    assert upserts.upsert_suppressed(conn, first)["stale_document"] == 1  # the old snapshot cannot re-suppress
    assert conn.execute("select status from catalog.listings where sku = 'B-J-0014'").fetchone()[0] == "active"


def test_fee_estimates_land_on_current_prices(conn, world):
    _listed(conn, world)
    document = land(conn, FBA_FEES, reports.fba_fees(world, Faults()))
    counts = upserts.upsert_fee_estimates(conn, document)
    fba_skus = [x.sku for x in world.listings if x.fulfilment == "AFN"]
    assert counts["updated"] == len(fba_skus) == 19 and counts["quarantined"] == 0
    for sku in ("M-CLL-0010", "SW-HDB-0013"):
        quote = world.fees(world.by_sku[sku].idx)
        assert conn.execute("select p.referral_fee, p.fba_fee from pricing.current_prices p join catalog.listings l "
                            "on l.id = p.listing_id where l.sku = %s", (sku,)).fetchone() \
            == (Decimal(f"{quote.referral_fee:.2f}"), Decimal(f"{quote.fba_fee:.2f}"))
    before = fingerprint(conn)
    assert upserts.upsert_fee_estimates(conn, document)["unchanged"] == 19
    assert fingerprint(conn) == before


def test_fba_inventory_sets_current_stock_and_one_snapshot(conn, world):
    _listed(conn, world)
    document = land(conn, FBA_INVENTORY, reports.fba_inventory(world, Faults()))
    counts = upserts.upsert_inventory(conn, document)
    assert counts["stock_inserted"] == counts["history_rows_written"] == 19
    stock = world.stock(world.today)
    idx = world.by_sku["SW-HDB-0013"].idx
    inbound = int(stock["inbound_working"][idx] + stock["inbound_shipped"][idx] + stock["inbound_receiving"][idx])
    row = conn.execute("select s.fulfillment_channel, s.location, s.fulfillable_qty, s.reserved_qty, s.unfulfillable_qty, "
                       "s.inbound_working_qty + s.inbound_shipped_qty + s.inbound_receiving_qty, h.inbound_qty, "
                       "h.time = s.as_of, h.tableoid::regclass::text like 'inventory.stock_history_p%' "
                       "from inventory.stock s join catalog.listings l on l.id = s.listing_id "
                       "join inventory.stock_history h on h.listing_id = s.listing_id where l.sku = 'SW-HDB-0013'").fetchone()
    assert row == ("FBA", "UK", int(stock["fulfillable"][idx]), int(stock["reserved"][idx]),
                   int(stock["unsellable"][idx]), inbound, inbound, True, True)
    before = fingerprint(conn)
    again = upserts.upsert_inventory(conn, document)
    assert (again["stock_unchanged"], again["history_rows_written"]) == (19, 0)
    assert fingerprint(conn) == before


def test_search_terms_become_keywords_of_the_clicked_listings(conn, world):
    _listed(conn, world)
    text = reports.search_terms(world, ReportSpec(SEARCH_TERMS, options={"reportPeriod": "WEEK"}))
    document = land(conn, SEARCH_TERMS, text)
    counts = upserts.upsert_keywords(conn, document)

    ours = {x.asin for x in world.listings}
    entries = [e for e in json.loads(text)["dataByDepartmentAndSearchTerm"] if e["clickedAsin"] in ours]
    assert entries and counts["inserted"] == sum(len(world.by_asin[e["clickedAsin"]]) for e in entries)
    sample = entries[0]
    ids = listing_ids(conn)
    row = conn.execute("select keyword, keyword_normalized, source, search_volume, relevance_score from catalog.keywords "
                       "where listing_id = %s and keyword_normalized = %s",
                       (ids[world.by_asin[sample["clickedAsin"]][0].sku], sample["searchTerm"].lower())).fetchone()
    assert row == (sample["searchTerm"], sample["searchTerm"].lower(), "suggested", None,
                   Decimal(str(round(sample["clickShare"] * 100, 2))).quantize(GBP))
    before = fingerprint(conn)
    assert upserts.upsert_keywords(conn, document)["inserted"] == 0
    assert fingerprint(conn) == before


def test_a_payload_with_an_impossible_value_is_quarantined_and_the_others_load(conn, world):
    _listed(conn, world)
    bad_asin = world.by_sku["SW-HDB-0013"].asin

    def long_brand(asin, payload):
        if asin == bad_asin:
            payload["attributes"]["brand"][0]["value"] = "B" * 300
        return payload

    ingest_catalog(conn, world, long_brand)
    counts = upserts.upsert_catalog_content(conn)
    assert (counts["payloads_quarantined"], counts["versions_created"]) == (1, 29)
    response_id = conn.execute("select id::text from raw.api_responses where request_key = %s", (bad_asin,)).fetchone()[0]
    assert conn.execute("select source, operation, source_document_id, field, reason, raw_record from raw.quarantine"
                        ).fetchall() == [("sp_api", "getCatalogItem", response_id, "brand",
                                          "brand is longer than 255 characters", bad_asin)]
    upserts.upsert_catalog_content(conn)
    assert conn.execute("select count(*) from raw.quarantine").fetchone()[0] == 1
