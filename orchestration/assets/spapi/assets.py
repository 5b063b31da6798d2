"""SP-API reports landed in the raw schema: snapshots of the catalogue, and daily sales, traffic and orders."""

from datetime import date, datetime, timedelta, timezone

import dagster as dg

from orchestration.assets.spapi.ingest import (
    ReportLoad, day_window, fetch_and_load, load_metadata, max_quarantine_share, quarantine_check,
)
from orchestration.assets.spapi.partitions import daily_partitions
from orchestration.assets.spapi.resources import SpApiResource
from orchestration.resources import WarehouseResource

GROUP = "spapi"
RETRY = dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL)
QUARANTINE_CHECK = "quarantine_share_below_threshold"
OWNERS = ["team:data-platform"]


def _snapshot_report_asset(name: str, report_type: str, description: str, window_days: int | None = None):
    """A report that describes 'now' (listings, fees, stock, suppressions); one document per run."""

    @dg.asset(
        key=["raw", name], group_name=GROUP, description=description, owners=OWNERS, kinds={"postgres"},
        retry_policy=RETRY, check_specs=[dg.AssetCheckSpec(QUARANTINE_CHECK, asset=["raw", name],
                                                           description="Share of quarantined rows stays under quarantine.max_share")],
    )
    def _report(context: dg.AssetExecutionContext, warehouse: WarehouseResource, spapi: SpApiResource):
        start = end = None
        if window_days:  # e.g. the last complete week for Brand Analytics
            today = datetime.now(timezone.utc).date()
            last_saturday = today - timedelta(days=(today.weekday() + 2) % 7 or 7)
            start, _ = day_window(last_saturday - timedelta(days=window_days - 1))
            _, end = day_window(last_saturday)
        load = fetch_and_load(context, warehouse, spapi, report_type=report_type, start=start, end=end,
                              options={"reportPeriod": "WEEK"} if window_days else None)
        yield dg.MaterializeResult(metadata={"report_document_id": load.report_document_id or "none (no data)",
                                             **load_metadata([load])})
        yield quarantine_check([load], max_quarantine_share(warehouse), QUARANTINE_CHECK)

    return _report


merchant_listings = _snapshot_report_asset(
    "spapi_merchant_listings", "GET_MERCHANT_LISTINGS_ALL_DATA",
    "Every listing with its SKU, ASIN, price, quantity, status and fulfilment channel (merchant listings report).")
fba_fee_estimates = _snapshot_report_asset(
    "spapi_fba_fee_estimates", "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA",
    "Amazon's estimate of referral and FBA fulfilment fees per SKU, ex VAT.")
fba_inventory = _snapshot_report_asset(
    "spapi_fba_inventory", "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
    "FBA stock per SKU: fulfillable, inbound, reserved, unsellable.")
suppressed_listings = _snapshot_report_asset(
    "spapi_suppressed_listings", "GET_MERCHANTS_LISTINGS_FYP_REPORT",
    "Listings Amazon has suppressed or put at risk, with the issue to fix.")
search_terms = _snapshot_report_asset(
    "spapi_search_terms", "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT",
    "Brand Analytics: what shoppers searched last week and which ASINs they clicked.", window_days=7)


def _days(context: dg.AssetExecutionContext) -> list[date]:
    window = context.partition_time_window
    day, days = window.start.date(), []
    while day < window.end.date():
        days.append(day)
        day += timedelta(days=1)
    return days


@dg.asset(
    key=["raw", "spapi_sales_and_traffic"], group_name=GROUP, owners=OWNERS, kinds={"postgres"},
    partitions_def=daily_partitions, backfill_policy=dg.BackfillPolicy.single_run(), retry_policy=RETRY,
    description="Sessions, page views, units, sales and Buy Box share per SKU per day (one report per day: the "
                "per-ASIN section sums its whole window). Traffic arrives late, so the trailing week is re-pulled daily.",
    check_specs=[dg.AssetCheckSpec(QUARANTINE_CHECK, asset=["raw", "spapi_sales_and_traffic"])],
)
def spapi_sales_and_traffic(context: dg.AssetExecutionContext, warehouse: WarehouseResource, spapi: SpApiResource):
    loads: list[ReportLoad] = []
    for day in _days(context):
        start, end = day_window(day)
        loads.append(fetch_and_load(context, warehouse, spapi, report_type="GET_SALES_AND_TRAFFIC_REPORT", start=start,
                                    end=end, options={"dateGranularity": "DAY", "asinGranularity": "SKU"}, report_date=day))
    yield dg.MaterializeResult(metadata={"days": len(loads), **load_metadata(loads)})
    yield quarantine_check(loads, max_quarantine_share(warehouse), QUARANTINE_CHECK)


ORDERS_CHUNK_DAYS = 30  # the orders report accepts at most 30 days per request


@dg.asset(
    key=["raw", "spapi_orders"], group_name=GROUP, owners=OWNERS, kinds={"postgres"},
    partitions_def=daily_partitions, backfill_policy=dg.BackfillPolicy.single_run(), retry_policy=RETRY,
    description="Order items by purchase date. The report has no unique key: duplicates are resolved downstream.",
    check_specs=[dg.AssetCheckSpec(QUARANTINE_CHECK, asset=["raw", "spapi_orders"])],
)
def spapi_orders(context: dg.AssetExecutionContext, warehouse: WarehouseResource, spapi: SpApiResource):
    days = _days(context)
    loads = []
    for first in range(0, len(days), ORDERS_CHUNK_DAYS):
        chunk = days[first:first + ORDERS_CHUNK_DAYS]
        start, _ = day_window(chunk[0])
        _, end = day_window(chunk[-1])
        loads.append(fetch_and_load(context, warehouse, spapi,
                                    report_type="GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL", start=start, end=end))
    yield dg.MaterializeResult(metadata={"days": len(days), **load_metadata(loads)})
    yield quarantine_check(loads, max_quarantine_share(warehouse), QUARANTINE_CHECK)


report_assets = [merchant_listings, fba_fee_estimates, fba_inventory, suppressed_listings, search_terms,
                 spapi_sales_and_traffic, spapi_orders]
