"""From landed SP-API data to the operational tables the seller works with (listings, prices, metrics, stock)."""

from pathlib import Path

import dagster as dg

from orchestration import settings
from orchestration.assets.spapi.assets import GROUP, OWNERS, RETRY, _days
from orchestration.assets.spapi.partitions import daily_partitions
from orchestration.assets.spapi.resources import SpApiResource
from orchestration.resources import WarehouseResource
from orchestration.spapi import items, upserts
from orchestration.spapi.supply_files import SUPPLY_FILES


def _latest_document(conn, report_type: str) -> str | None:
    row = conn.execute(
        "SELECT report_document_id FROM raw.report_documents WHERE report_type = %s AND row_count IS NOT NULL "
        "ORDER BY _loaded_at DESC LIMIT 1", (report_type,),
    ).fetchone()
    return row[0] if row else None


def _from_latest(context, warehouse: WarehouseResource, report_type: str, upsert) -> dg.MaterializeResult:
    with warehouse.connect(autocommit=True) as conn:
        document = _latest_document(conn, report_type)
        if document is None:
            return dg.MaterializeResult(metadata={"note": f"no {report_type} document landed yet"})
        counts = upsert(conn, document, run_id=context.run_id)
    return dg.MaterializeResult(metadata={"report_document_id": document, **counts})


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["catalog", "listings"], deps=[["raw", "spapi_merchant_listings"]], group_name="catalog", owners=OWNERS,
                     description="Your listings by marketplace and SKU: ASIN, title, status, fulfilment channel."),
        dg.AssetSpec(["pricing", "price_history"], deps=[["raw", "spapi_merchant_listings"]], group_name="pricing", owners=OWNERS,
                     description="Every price your listings have had, one row per change."),
    ],
    retry_policy=RETRY,
)
def listings(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    result = _from_latest(context, warehouse, "GET_MERCHANT_LISTINGS_ALL_DATA", upserts.upsert_listings)
    yield dg.MaterializeResult(asset_key=["catalog", "listings"], metadata=result.metadata)
    yield dg.MaterializeResult(asset_key=["pricing", "price_history"])


@dg.asset(key=["raw", "spapi_catalog_items"], deps=[["catalog", "listings"]], group_name=GROUP, owners=OWNERS,
          kinds={"postgres"}, retry_policy=RETRY,
          description="Catalog Items API per ASIN: title, bullets, description, backend search terms, images, ranks.")
def spapi_catalog_items(context: dg.AssetExecutionContext, warehouse: WarehouseResource, spapi: SpApiResource):
    with warehouse.connect(autocommit=True) as conn:
        asins = [row[0] for row in conn.execute("SELECT DISTINCT asin FROM catalog.listings ORDER BY 1").fetchall()]
        summary = items.fetch_catalog_items(conn, spapi.catalog(), asins, marketplace_id=spapi.marketplace_id,
                                            run_id=context.run_id)
    return dg.MaterializeResult(metadata={"asins": summary.requested, "stored": summary.stored,
                                          "failed": [f"{key}: {reason}" for key, reason in summary.failed][:20]})


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["catalog", "listing_versions"], deps=[["raw", "spapi_catalog_items"]], group_name="catalog",
                     owners=OWNERS, description="Listing content versions: a new one whenever title, bullets, "
                                                "description or search terms change."),
        dg.AssetSpec(["catalog", "listing_images"], deps=[["raw", "spapi_catalog_items"]], group_name="catalog",
                     owners=OWNERS, description="Images per listing with their pixel sizes."),
    ],
    retry_policy=RETRY,
)
def listing_content(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.connect(autocommit=True) as conn:
        counts = upserts.upsert_catalog_content(conn, run_id=context.run_id)
    yield dg.MaterializeResult(asset_key=["catalog", "listing_versions"], metadata=counts)
    yield dg.MaterializeResult(asset_key=["catalog", "listing_images"])


@dg.asset(key=["raw", "spapi_listings_items"], deps=[["catalog", "listings"]], group_name=GROUP, owners=OWNERS,
          kinds={"postgres"}, retry_policy=RETRY,
          description="Listings Items API per SKU: issues and enforcements (why a listing is suppressed).")
def spapi_listings_items(context: dg.AssetExecutionContext, warehouse: WarehouseResource, spapi: SpApiResource):
    with warehouse.connect(autocommit=True) as conn:
        skus = [row[0] for row in conn.execute("SELECT sku FROM catalog.listings ORDER BY 1").fetchall()]
        summary = items.fetch_listings_items(conn, spapi.listings(), spapi.seller_id, skus,
                                             marketplace_id=spapi.marketplace_id, run_id=context.run_id)
    return dg.MaterializeResult(metadata={"skus": summary.requested, "stored": summary.stored})


@dg.asset(key=["raw", "spapi_competitive_pricing"], deps=[["catalog", "listings"]], group_name=GROUP, owners=OWNERS,
          kinds={"postgres"}, retry_policy=RETRY,
          description="Competitive pricing per ASIN: Buy Box price and offer counts (Product Pricing API).")
def spapi_competitive_pricing(context: dg.AssetExecutionContext, warehouse: WarehouseResource, spapi: SpApiResource):
    with warehouse.connect(autocommit=True) as conn:
        # Only buyable listings have offers to compare: variation parents carry no price.
        asins = [row[0] for row in conn.execute(
            "SELECT DISTINCT l.asin FROM catalog.listings l JOIN pricing.current_prices p ON p.listing_id = l.id "
            "WHERE p.price IS NOT NULL ORDER BY 1").fetchall()]
        summary = items.fetch_competitive_pricing(conn, spapi.pricing(), asins, marketplace_id=spapi.marketplace_id,
                                                  run_id=context.run_id)
    return dg.MaterializeResult(metadata={"asins": summary.requested, "stored": summary.stored})


@dg.asset(key=["analytics", "performance_metrics"], deps=[["raw", "spapi_sales_and_traffic"], ["catalog", "listings"]],
          group_name="analytics", owners=OWNERS, partitions_def=daily_partitions,
          backfill_policy=dg.BackfillPolicy.single_run(), retry_policy=RETRY,
          description="Daily sessions, conversion, units, sales and Buy Box share per listing (revised figures replace earlier ones).")
def performance_metrics(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    days = _days(context)
    with warehouse.connect(autocommit=True) as conn:
        totals = upserts.upsert_sales_and_traffic(conn, days[0], days[-1], run_id=context.run_id)
    return dg.MaterializeResult(metadata=totals)


@dg.asset(key=["inventory", "stock"], deps=[["raw", "spapi_fba_inventory"], ["catalog", "listings"]], group_name="inventory",
          owners=OWNERS, retry_policy=RETRY, description="Stock per listing and channel, with a history of snapshots.")
def stock(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    return _from_latest(context, warehouse, "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA", upserts.upsert_inventory)


@dg.asset(key=["pricing", "amazon_fees"], deps=[["raw", "spapi_fba_fee_estimates"], ["catalog", "listings"]],
          group_name="pricing", owners=OWNERS, retry_policy=RETRY,
          description="Referral and FBA fees per unit on pricing.current_prices, from Amazon's estimates.")
def amazon_fees(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    return _from_latest(context, warehouse, "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA", upserts.upsert_fee_estimates)


@dg.asset(key=["catalog", "suppressions"], deps=[["raw", "spapi_suppressed_listings"], ["catalog", "listings"]],
          group_name="catalog", owners=OWNERS, retry_policy=RETRY,
          description="Listings marked suppressed while Amazon's suppressed-listings report names them.")
def suppressions(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    return _from_latest(context, warehouse, "GET_MERCHANTS_LISTINGS_FYP_REPORT", upserts.upsert_suppressed)


@dg.asset(key=["catalog", "keywords"], deps=[["raw", "spapi_search_terms"], ["catalog", "listings"]], group_name="catalog",
          owners=OWNERS, retry_policy=RETRY,
          description="Search terms shoppers used where your ASINs were among the most clicked.")
def keywords(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    return _from_latest(context, warehouse, "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT", upserts.upsert_keywords)


class SupplyImportConfig(dg.Config):
    folder: str = ""  # default: <LISTING_HELPER_HOME>/imports/supply


@dg.multi_asset(
    specs=[dg.AssetSpec(["inventory", name], deps=[["catalog", "listings"]], group_name="inventory", owners=OWNERS,
                        description=text)
           for name, text in [("suppliers", "Your suppliers, their countries and lead times."),
                              ("components", "Components and packaging that go into your products."),
                              ("component_prices", "Supplier prices per component with quantity breaks and import duty."),
                              ("bill_of_materials", "Which components, and how many, make up each listing.")]],
    retry_policy=RETRY,
)
def supply_files(context: dg.AssetExecutionContext, config: SupplyImportConfig, warehouse: WarehouseResource):
    """Reads the supplier/BOM spreadsheets (CSV) the seller keeps in the import folder."""
    folder = Path(config.folder) if config.folder else settings.home_dir() / "imports" / "supply"
    if not any((folder / name).exists() for name in SUPPLY_FILES):
        # Not every seller keeps BOM spreadsheets: the catalogue still syncs; landed costs wait for them.
        context.log.warning("no supplier/BOM files in %s (expected %s): nothing imported", folder, ", ".join(SUPPLY_FILES))
        for name in ("suppliers", "components", "component_prices", "bill_of_materials"):
            yield dg.MaterializeResult(asset_key=["inventory", name],
                                       metadata={"note": f"no files in {folder}: add {', '.join(SUPPLY_FILES)}"})
        return
    with warehouse.connect(autocommit=True) as conn:
        counts = upserts.import_supply_files(conn, folder, run_id=context.run_id)
    for name in ("suppliers", "components", "component_prices", "bill_of_materials"):
        yield dg.MaterializeResult(asset_key=["inventory", name], metadata={"folder": str(folder), **counts} if name == "suppliers" else None)


operational_assets = [listings, spapi_catalog_items, listing_content, spapi_listings_items, spapi_competitive_pricing,
                      performance_metrics, stock, amazon_fees, suppressions, keywords, supply_files]
