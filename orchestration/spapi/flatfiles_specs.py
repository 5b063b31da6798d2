"""Per report type: our canonical column -> the header names Amazon uses for it, its type, required?"""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.spapi.casts import BOOL, INT, MEASURE, MONEY, TEXT, TIMESTAMP, Kind


def normalise_header(header: str) -> str:
    """Compare headers loosely: 'Status Change Date', 'status_change_date' and 'status-change-date' match."""
    return "-".join(header.replace("\ufeff", "").replace("_", " ").replace("-", " ").lower().split())


@dataclass(frozen=True)
class Col:
    kind: Kind = TEXT
    aliases: tuple[str, ...] = ()  # besides the canonical name spelled with hyphens
    # required: the header must be present (else MissingColumnsError) and each row must carry a
    # value (else that row is quarantined). These are the keys a row is useless without.
    required: bool = False


@dataclass(frozen=True)
class ReportSpec:
    report_type: str
    columns: dict[str, Col]

    def accepted_headers(self, canonical: str) -> tuple[str, ...]:
        return (canonical.replace("_", "-"), *self.columns[canonical].aliases)

    def lookup(self) -> dict[str, str]:
        """normalised header -> canonical name; the first column claiming an alias owns it."""
        table: dict[str, str] = {}
        for name in self.columns:
            for alias in self.accepted_headers(name):
                table.setdefault(normalise_header(alias), name)
        return table


def _numbered(prefix: str, kind: Kind, count: int) -> dict[str, Col]:
    return {f"{prefix}_{i}": Col(kind) for i in range(1, count + 1)}


# Amazon Business sellers get these extra columns in the listings report; others never do.
_B2B_LISTING_COLUMNS: dict[str, Col] = {
    "business_price": Col(MONEY),
    "quantity_price_type": Col(TEXT),
    **{k: v for i in range(1, 6) for k, v in (
        (f"quantity_lower_bound_{i}", Col(INT)), (f"quantity_price_{i}", Col(MONEY)))},
    "progressive_price_type": Col(TEXT),
    **{k: v for i in range(1, 4) for k, v in (
        (f"progressive_lower_bound_{i}", Col(INT)), (f"progressive_price_{i}", Col(MONEY)))},
}

MERCHANT_LISTINGS = ReportSpec("GET_MERCHANT_LISTINGS_ALL_DATA", {
    "item_name": Col(),
    "item_description": Col(),
    "listing_id": Col(),
    "seller_sku": Col(TEXT, ("sku",), required=True),
    "price": Col(MONEY),
    "quantity": Col(INT),  # blank for FBA offers: Amazon holds the stock
    "open_date": Col(TIMESTAMP),  # UK: "12/03/2024 10:15:32 GMT", day first
    "image_url": Col(),
    "item_is_marketplace": Col(BOOL),
    "product_id_type": Col(),  # a code (1 ASIN, 2 ISBN, 3 UPC, 4 EAN), kept as text
    "zshop_shipping_fee": Col(),  # zshop_*: retired fields, kept as text so junk cannot quarantine a row
    "item_note": Col(),
    "item_condition": Col(),  # a code (11 = new), kept as text
    "zshop_category1": Col(),
    "zshop_browse_path": Col(),
    "zshop_storefront_feature": Col(),
    "asin": Col(TEXT, ("asin1",)),
    "asin2": Col(),
    "asin3": Col(),
    "will_ship_internationally": Col(),
    "expedited_shipping": Col(),
    "zshop_boldface": Col(),
    "product_id": Col(),
    "bid_for_featured_placement": Col(),
    "add_delete": Col(),
    "pending_quantity": Col(INT),
    "fulfillment_channel": Col(TEXT, ("fulfilment-channel",)),  # DEFAULT = merchant, AMAZON_EU = FBA
    "optional_payment_type_exclusion": Col(),
    "merchant_shipping_group": Col(TEXT, ("merchant-shipping-group-name",)),
    "status": Col(),  # Active / Inactive / Incomplete; missing from some accounts' files
    "minimum_order_quantity": Col(INT),
    "sell_remainder": Col(),
    **_B2B_LISTING_COLUMNS,
})

_FULFILMENT_FEE_ALIASES = (
    "expected-fulfilment-fee-per-unit",
    "expected-domestic-fulfilment-fee-per-unit",
    "expected-domestic-fulfillment-fee-per-unit",
)

FBA_FEES = ReportSpec("GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA", {
    "sku": Col(TEXT, ("seller-sku",), required=True),
    "fnsku": Col(),
    "asin": Col(),
    "amazon_store": Col(),
    "product_name": Col(),
    "product_group": Col(),
    "brand": Col(),
    "fulfilled_by": Col(),
    "has_local_inventory": Col(BOOL),
    "your_price": Col(MONEY),
    "sales_price": Col(MONEY),
    "longest_side": Col(MEASURE),
    "median_side": Col(MEASURE),
    "shortest_side": Col(MEASURE),
    "length_and_girth": Col(MEASURE),
    "unit_of_dimension": Col(),
    "item_package_weight": Col(MEASURE),
    "unit_of_weight": Col(),
    "product_size_tier": Col(TEXT, ("product-size-weight-band",)),
    "currency": Col(),
    "estimated_fee_total": Col(MONEY),
    "estimated_referral_fee_per_unit": Col(MONEY),
    "estimated_variable_closing_fee": Col(MONEY),
    "estimated_order_handling_fee_per_order": Col(MONEY),
    "estimated_pick_pack_fee_per_unit": Col(MONEY),
    "estimated_weight_handling_fee_per_unit": Col(MONEY),
    "expected_fulfillment_fee_per_unit": Col(MONEY, _FULFILMENT_FEE_ALIASES),
    # Pan-EU / EFN: fee when a UK order ships from another country's stock.
    **{f"expected_efn_fulfillment_fee_per_unit_{cc}": Col(MONEY, (f"expected-efn-fulfilment-fee-per-unit-{cc}",))
       for cc in ("uk", "de", "fr", "it", "es", "se", "pl", "nl")},
})

FBA_INVENTORY = ReportSpec("GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA", {
    "sku": Col(TEXT, ("seller-sku",), required=True),
    "fnsku": Col(),
    "asin": Col(),
    "product_name": Col(),
    "condition": Col(),
    "your_price": Col(MONEY),
    "mfn_listing_exists": Col(BOOL),
    "mfn_fulfillable_quantity": Col(INT, ("mfn-fulfilable-quantity",)),
    "afn_listing_exists": Col(BOOL),
    "afn_warehouse_quantity": Col(INT),
    "afn_fulfillable_quantity": Col(INT, ("afn-fulfilable-quantity",)),
    "afn_unsellable_quantity": Col(INT),
    "afn_reserved_quantity": Col(INT),
    "afn_total_quantity": Col(INT),
    "per_unit_volume": Col(MEASURE),
    "afn_inbound_working_quantity": Col(INT),
    "afn_inbound_shipped_quantity": Col(INT),
    "afn_inbound_receiving_quantity": Col(INT),
    "afn_researching_quantity": Col(INT),
    "afn_reserved_future_supply": Col(INT),
    "afn_future_supply_buyable": Col(INT),
})

ALL_ORDERS = ReportSpec("GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL", {
    "amazon_order_id": Col(TEXT, (), required=True),
    "merchant_order_id": Col(),
    "purchase_date": Col(TIMESTAMP),  # ISO 8601 with offset
    "last_updated_date": Col(TIMESTAMP),
    "order_status": Col(),
    "fulfillment_channel": Col(TEXT, ("fulfilment-channel",)),
    "sales_channel": Col(),
    "order_channel": Col(),
    "url": Col(),
    "ship_service_level": Col(),
    "product_name": Col(),
    "sku": Col(TEXT, ("seller-sku",), required=True),
    "asin": Col(),
    "item_status": Col(),
    "quantity": Col(INT),
    "currency": Col(),
    "item_price": Col(MONEY),  # blank while an order is Pending
    "item_tax": Col(MONEY),
    "shipping_price": Col(MONEY),
    "shipping_tax": Col(MONEY),
    "gift_wrap_price": Col(MONEY),
    "gift_wrap_tax": Col(MONEY),
    "item_promotion_discount": Col(MONEY),
    "ship_promotion_discount": Col(MONEY),
    "ship_city": Col(),
    "ship_state": Col(),
    "ship_postal_code": Col(),
    "ship_country": Col(),
    "promotion_ids": Col(),
    "is_business_order": Col(BOOL),
    "purchase_order_number": Col(),
    "price_designation": Col(),
    "vat_exclusive_item_price": Col(MONEY),
    "vat_exclusive_shipping_price": Col(MONEY),
    "vat_exclusive_giftwrap_price": Col(MONEY),
    "signature_confirmation_recommended": Col(BOOL),
})

SUPPRESSED_LISTINGS = ReportSpec("GET_MERCHANTS_LISTINGS_FYP_REPORT", {
    "status": Col(),
    "reason": Col(),
    "sku": Col(TEXT, ("seller-sku",), required=True),
    "asin": Col(),
    "product_name": Col(TEXT, ("item-name",)),
    "condition": Col(),
    "status_change_date": Col(TIMESTAMP),
    "issue_description": Col(),
    "field_name": Col(),
    "alert_name": Col(),
})

SPECS: dict[str, ReportSpec] = {
    spec.report_type: spec
    for spec in (MERCHANT_LISTINGS, FBA_FEES, FBA_INVENTORY, ALL_ORDERS, SUPPRESSED_LISTINGS)
}
