"""Flat-file reports: QUOTE_NONE parsing, header aliases, typed casts, quarantine of bad rows."""

import gzip
from datetime import datetime, timezone
from decimal import Decimal

import polars as pl
import pytest

from orchestration.spapi.flatfiles import MissingColumnsError, parse_flat_file

LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"

# A UK all-listings header as Amazon sends it to many accounts: UK spelling of
# fulfilment-channel, two columns literally called "Deprecated column", no status column.
UK_HEADER = [
    "item-name", "item-description", "listing-id", "seller-sku", "price", "quantity", "open-date",
    "image-url", "item-is-marketplace", "product-id-type", "Deprecated column", "item-note",
    "item-condition", "Deprecated column", "asin1", "asin2", "asin3", "will-ship-internationally",
    "expedited-shipping", "product-id", "add-delete", "pending-quantity", "fulfilment-channel",
    "merchant-shipping-group",
]


def listing_row(sku, *, title="Cordless drill 18V", price="49.99", quantity="7", open_date="12/03/2024 10:15:32 GMT",
                asin="B0TESTDRL1", channel="DEFAULT", deprecated="zz"):
    values = {
        "item-name": title, "item-description": "", "listing-id": f"L-{sku}", "seller-sku": sku, "price": price,
        "quantity": quantity, "open-date": open_date, "image-url": "", "item-is-marketplace": "y",
        "product-id-type": "1", "item-note": "", "item-condition": "11", "asin1": asin, "asin2": "", "asin3": "",
        "will-ship-internationally": "", "expedited-shipping": "", "product-id": asin, "add-delete": "",
        "pending-quantity": "0", "fulfilment-channel": channel, "merchant-shipping-group": "Migrated Template",
    }
    return "\t".join(deprecated if h == "Deprecated column" else values[h] for h in UK_HEADER)


def tsv(header, rows, newline="\n"):
    return newline.join(["\t".join(header), *rows]) + newline


def test_stray_double_quote_does_not_swallow_following_rows():
    rows = [
        listing_row("SKU-1", title='"Heavy duty claw hammer 16oz'),  # opening quote, never closed
        listing_row("SKU-2", title='Tape measure 5m 16\' "pro'),
        listing_row("SKU-3"),
        listing_row("SKU-4", title='Screwdriver set "'),
    ]
    report = parse_flat_file(tsv(UK_HEADER, rows).encode("utf-8"), LISTINGS)
    assert report.frame["seller_sku"].to_list() == ["SKU-1", "SKU-2", "SKU-3", "SKU-4"]
    assert report.frame["item_name"].to_list()[0] == '"Heavy duty claw hammer 16oz'
    assert report.frame["item_name"].to_list()[3] == 'Screwdriver set "'
    assert report.frame["price"].to_list() == [Decimal("49.99")] * 4
    assert report.quarantine.height == 0


def test_uk_and_us_spelling_of_fulfillment_channel_map_to_one_column():
    uk = parse_flat_file(tsv(UK_HEADER, [listing_row("A", channel="AMAZON_EU")]), LISTINGS)
    us_header = [("fulfillment-channel" if h == "fulfilment-channel" else h) for h in UK_HEADER]
    us = parse_flat_file(tsv(us_header, [listing_row("A", channel="AMAZON_EU")]), LISTINGS)
    assert uk.frame["fulfillment_channel"].to_list() == ["AMAZON_EU"]
    assert us.frame["fulfillment_channel"].to_list() == ["AMAZON_EU"]
    assert "fulfilment-channel" not in uk.ignored_headers


def test_deprecated_columns_are_ignored_and_reported_without_shifting_neighbours():
    report = parse_flat_file(tsv(UK_HEADER, [listing_row("SKU-1", deprecated="JUNK")]), LISTINGS)
    assert report.ignored_headers == ["Deprecated column", "Deprecated column"]
    row = report.frame.row(0, named=True)
    assert row["item_condition"] == "11"
    assert row["asin"] == "B0TESTDRL1"  # asin1 comes right after the second deprecated column
    assert "JUNK" not in [v for v in row.values() if isinstance(v, str)]


def test_missing_status_column_becomes_a_null_text_column():
    report = parse_flat_file(tsv(UK_HEADER, [listing_row("SKU-1"), listing_row("SKU-2")]), LISTINGS)
    assert report.frame.schema["status"] == pl.String
    assert report.frame["status"].to_list() == [None, None]


def test_status_column_present_is_read():
    header = [*UK_HEADER, "status"]
    report = parse_flat_file(tsv(header, [listing_row("SKU-1") + "\tActive"]), LISTINGS)
    assert report.frame["status"].to_list() == ["Active"]


def test_b2b_columns_are_typed():
    header = [*UK_HEADER, "Business Price", "Quantity Price Type", "Quantity Lower Bound 1", "Quantity Price 1"]
    rows = [listing_row("SKU-1") + "\t45.00\tfixed\t10\t42.50", listing_row("SKU-2") + "\t\t\t\t"]
    report = parse_flat_file(tsv(header, rows), LISTINGS)
    assert report.frame.schema["business_price"] == pl.Decimal(18, 2)
    assert report.frame["business_price"].to_list() == [Decimal("45.00"), None]
    assert report.frame["quantity_price_type"].to_list() == ["fixed", None]
    assert report.frame["quantity_lower_bound_1"].to_list() == [10, None]
    assert report.frame["quantity_price_1"].to_list() == [Decimal("42.50"), None]
    assert report.frame["quantity_price_5"].to_list() == [None, None]  # absent optional column
    assert report.ignored_headers == ["Deprecated column", "Deprecated column"]


def test_bad_price_is_quarantined_with_line_and_field_and_other_rows_load():
    rows = [listing_row("SKU-1"), listing_row("SKU-2", price="twelve"), listing_row("SKU-3", price="3.50")]
    report = parse_flat_file(tsv(UK_HEADER, rows), LISTINGS, document_id="amzn1.tortuga.doc.1")
    assert report.frame["seller_sku"].to_list() == ["SKU-1", "SKU-3"]
    assert report.frame["line_number"].to_list() == [2, 4]
    assert report.frame["price"].to_list() == [Decimal("49.99"), Decimal("3.50")]
    assert report.quarantine.height == 1
    bad = report.quarantine.row(0, named=True)
    assert bad["line_number"] == 3  # header is line 1
    assert bad["field"] == "price" and bad["header"] == "price"
    assert bad["value"] == "twelve"
    assert bad["reason"] == "price 'twelve' is not a number"
    assert bad["raw_record"] == rows[1]
    assert report.row_count_total == 3
    assert report.quarantined_record_count == 1


def test_money_is_exact_decimal_never_float_and_extra_places_are_refused():
    rows = [listing_row("A", price="0.10"), listing_row("B", price="12.999"), listing_row("C", price="£5")]
    report = parse_flat_file(tsv(UK_HEADER, rows), LISTINGS)
    assert report.frame.schema["price"] == pl.Decimal(18, 2)
    assert report.frame["price"].to_list() == [Decimal("0.10")]
    reasons = dict(zip(report.quarantine["line_number"], report.quarantine["reason"]))
    assert reasons == {3: "price '12.999' has more than 2 decimal places", 4: "price '£5' is not a number"}


def test_ragged_rows_are_quarantined_and_never_swallow_later_rows():
    short = "\t".join(listing_row("SKU-2").split("\t")[:5])
    long = listing_row("SKU-3") + "\textra\tvalues"
    trailing_tab = listing_row("SKU-4") + "\t"  # an empty extra field is harmless
    rows = [listing_row("SKU-1"), short, long, trailing_tab, listing_row("SKU-5")]
    report = parse_flat_file(tsv(UK_HEADER, rows), LISTINGS)
    assert report.frame["seller_sku"].to_list() == ["SKU-1", "SKU-4", "SKU-5"]
    q = report.quarantine.sort("line_number")
    assert q["line_number"].to_list() == [3, 4]
    assert q["reason"].to_list() == [
        f"row has 5 fields but the header has {len(UK_HEADER)}",
        f"row has {len(UK_HEADER) + 2} fields but the header has {len(UK_HEADER)}",
    ]
    assert q["raw_record"].to_list() == [short, long]
    assert q["field"].to_list() == [None, None]


def test_missing_required_column_raises_a_clear_error():
    header = [h for h in UK_HEADER if h != "seller-sku"]
    with pytest.raises(MissingColumnsError) as caught:
        parse_flat_file(tsv(header, ["x\t" * (len(header) - 1)]), LISTINGS, document_id="amzn1.tortuga.doc.42")
    err = caught.value
    message = str(err)
    assert LISTINGS in message and "amzn1.tortuga.doc.42" in message and "seller_sku" in message
    assert "seller-sku" in message and "item-name" in message  # accepted aliases and headers seen
    assert err.missing == {"seller_sku": ("seller-sku", "sku")}
    assert err.headers_seen == header


def test_required_value_empty_is_quarantined():
    report = parse_flat_file(tsv(UK_HEADER, [listing_row(""), listing_row("SKU-2")]), LISTINGS)
    assert report.frame["seller_sku"].to_list() == ["SKU-2"]
    assert report.quarantine.row(0, named=True)["reason"] == "seller-sku is empty"


def test_cp1252_gzip_crlf_document_and_uk_open_dates_to_utc():
    rows = [
        listing_row("SKU-1", title="Mitre saw £199", open_date="12/03/2024 10:15:32 GMT"),
        listing_row("SKU-2", title="Café table saw", open_date="01/07/2024 09:00:00 BST"),
        listing_row("SKU-3", open_date="31/02/2024 09:00:00 GMT"),
    ]
    raw = gzip.compress(tsv(UK_HEADER, rows, newline="\r\n").encode("cp1252"))
    report = parse_flat_file(raw, LISTINGS)
    assert report.encoding == "cp1252"
    assert report.frame["item_name"].to_list() == ["Mitre saw £199", "Café table saw"]
    assert report.frame["merchant_shipping_group"].to_list() == ["Migrated Template"] * 2  # no stray \r
    assert report.frame["open_date"].to_list() == [
        datetime(2024, 3, 12, 10, 15, 32, tzinfo=timezone.utc),
        datetime(2024, 7, 1, 8, 0, 0, tzinfo=timezone.utc),  # 1 July is day-first, BST = UTC+1
    ]
    bad = report.quarantine.row(0, named=True)
    assert (bad["line_number"], bad["field"], bad["header"]) == (4, "open_date", "open-date")
    assert "is not a date/time" in bad["reason"]


def test_utf8_bom_header_is_recognised():
    raw = b"\xef\xbb\xbf" + tsv(UK_HEADER, [listing_row("SKU-1")]).encode("utf-8")
    report = parse_flat_file(raw, LISTINGS)
    assert report.encoding == "utf-8-sig"
    assert report.frame["item_name"].to_list() == ["Cordless drill 18V"]


def test_two_bad_fields_in_one_row_give_two_entries_and_drop_the_row_once():
    report = parse_flat_file(tsv(UK_HEADER, [listing_row("A", price="x", quantity="lots"), listing_row("B")]), LISTINGS)
    assert report.frame["seller_sku"].to_list() == ["B"]
    assert sorted(report.quarantine["field"].to_list()) == ["price", "quantity"]
    assert report.quarantined_record_count == 1
    assert report.row_count_total == report.frame.height + report.quarantined_record_count


def test_empty_document_gives_an_empty_typed_frame():
    report = parse_flat_file(b"", LISTINGS)
    assert report.frame.height == 0 and report.row_count_total == 0
    assert report.frame.schema["price"] == pl.Decimal(18, 2)


def test_unknown_report_type_is_refused():
    with pytest.raises(ValueError, match="no flat-file spec"):
        parse_flat_file("a\tb\n", "GET_SOMETHING_ELSE")


def test_fees_report_uk_headers_and_dashes():
    header = ["sku", "fnsku", "asin", "amazon-store", "product-name", "your-price", "longest-side", "unit-of-dimension",
              "product-size-weight-band", "currency", "estimated-fee-total", "estimated-referral-fee-per-unit",
              "expected-domestic-fulfilment-fee-per-unit", "expected-efn-fulfilment-fee-per-unit-de", "brand-new-column"]
    rows = ["DRILL-1\tX001\tB0DRILL\tUK\tDrill\t49.99\t35.50\tcentimeters\tStandard Parcel\tGBP\t9.53\t6.63\t2.90\t--\tq"]
    report = parse_flat_file(tsv(header, rows), "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA")
    row = report.frame.row(0, named=True)
    assert row["expected_fulfillment_fee_per_unit"] == Decimal("2.90")
    assert row["expected_efn_fulfillment_fee_per_unit_de"] is None  # "--" means no value
    assert row["estimated_fee_total"] == Decimal("9.53")
    assert row["longest_side"] == Decimal("35.5000")
    assert row["product_size_tier"] == "Standard Parcel"
    assert report.ignored_headers == ["brand-new-column"]


def test_inventory_report_yes_no_and_integers():
    header = ["sku", "fnsku", "asin", "product-name", "condition", "your-price", "mfn-listing-exists",
              "mfn-fulfillable-quantity", "afn-listing-exists", "afn-fulfillable-quantity", "per-unit-volume"]
    rows = ["S1\tX1\tB1\tSaw\tNew\t19.99\tNo\t\tYes\t12\t0.05", "S2\tX2\tB2\tAxe\tNew\t9.99\tmaybe\t\tYes\t3\t0.01"]
    report = parse_flat_file(tsv(header, rows), "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA")
    assert report.frame.select("sku", "mfn_listing_exists", "afn_listing_exists", "afn_fulfillable_quantity").rows() == [
        ("S1", False, True, 12)
    ]
    assert report.frame["afn_reserved_quantity"].to_list() == [None]
    assert report.quarantine.row(0, named=True)["reason"] == "mfn-listing-exists 'maybe' is not yes/no"


def test_orders_iso_timestamps_with_offsets_become_utc():
    header = ["amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
              "fulfillment-channel", "sku", "quantity", "currency", "item-price", "is-business-order"]
    rows = ["203-1-1\t\t2024-07-01T23:30:00+01:00\t2024-07-02T08:00:00+00:00\tShipped\tAmazon\tS1\t2\tGBP\t25.98\tfalse",
            "203-1-2\t\t2024-07-02T10:00:00+00:00\t2024-07-02T10:00:00+00:00\tPending\tMerchant\tS2\t1\tGBP\t\ttrue"]
    report = parse_flat_file(tsv(header, rows), "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL")
    assert report.frame["purchase_date"].to_list()[0] == datetime(2024, 7, 1, 22, 30, tzinfo=timezone.utc)
    assert report.frame["item_price"].to_list() == [Decimal("25.98"), None]
    assert report.frame["is_business_order"].to_list() == [False, True]
    assert report.frame["quantity"].to_list() == [2, 1]


def test_suppressed_listings_headers_with_spaces():
    header = ["Status", "Reason", "SKU", "ASIN", "Product name", "Condition", "Status Change Date",
              "Issue Description", "Field name", "Alert name"]
    rows = ["Inactive\tMissing image\tS1\tB1\tHammer\tNew\t2024-05-01T12:00:00+00:00\tMain image missing\tmain_image_url\tImage"]
    report = parse_flat_file(tsv(header, rows), "GET_MERCHANTS_LISTINGS_FYP_REPORT")
    row = report.frame.row(0, named=True)
    assert (row["sku"], row["asin"], row["product_name"], row["field_name"]) == ("S1", "B1", "Hammer", "main_image_url")
    assert row["status_change_date"] == datetime(2024, 5, 1, 12, tzinfo=timezone.utc)
    assert report.ignored_headers == []
