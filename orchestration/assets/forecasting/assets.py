"""Forecasts, reorder suggestions and price suggestions as Dagster assets (groups forecasts, price_suggestions).

Unpartitioned: each run learns from the whole sales history (730 days) and writes one forecast origin (the
last day with metrics) and one suggestion day; re-running the same day replaces its rows.
"""

import dagster as dg

from orchestration.forecasting.runs import run_forecasts
from orchestration.price_suggestions.run import run as run_price_suggestions
from orchestration.resources import WarehouseResource

OWNERS = ["team:analytics"]
HISTORY = [["analytics", "performance_metrics"], ["pricing", "price_history"], ["catalog", "listings"]]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["inventory", "forecasts"], group_name="forecasts", owners=OWNERS, kinds={"python", "postgres"},
                     deps=HISTORY,
                     description="Daily units per listing for the next 90 days (p10/p50/p90 and mean): the listing's "
                                 "recent level x its category's weekday, season and bank-holiday pattern."),
        dg.AssetSpec(["inventory", "reorder_suggestions"], group_name="forecasts", owners=OWNERS,
                     kinds={"python", "postgres"},
                     deps=[["inventory", "forecasts"], ["inventory", "stock"], ["inventory", "suppliers"],
                           ["inventory", "bill_of_materials"]],
                     description="Stock-out dates, reorder points and reorder quantities from the forecast, stock, "
                                 "inbound and supplier lead times; days of cover onto inventory.stock."),
    ],
)
def demand_forecasts(warehouse: WarehouseResource):
    with warehouse.connect() as conn:
        result = run_forecasts(conn)
    fc = result.forecast
    reorder_now = sum(r.reorder_now for r in result.reorders)
    yield dg.MaterializeResult(asset_key=["inventory", "forecasts"], metadata={
        "forecast_date": fc.origin.isoformat(), "listings": len(fc.history.listing_ids),
        "horizon_days": len(fc.days), "rows_written": result.forecast_rows,
        "seasonal_patterns": ", ".join(sorted(fc.season.params))})
    yield dg.MaterializeResult(asset_key=["inventory", "reorder_suggestions"], metadata={
        "listings_with_stock": len(result.reorders), "reorder_now": reorder_now,
        "stock_out_within_horizon": sum(r.stockout_date is not None for r in result.reorders)})


@dg.asset(key=["pricing", "price_suggestions"], group_name="price_suggestions", owners=OWNERS,
          kinds={"python", "postgres"},
          deps=[*HISTORY, ["marts", "fct_listing_price_points"], ["marts", "fct_listing_margins"],
                ["intermediate", "int_listing_rival_prices"], ["raw", "spapi_competitive_pricing"]],
          description="Own-price elasticity per listing (shrunk towards its category), the profit-maximising price "
                      "inside floor and ceiling with a confidence, or plainly why there is none; copied onto "
                      "pricing.current_prices.optimal_price / price_confidence.")
def price_suggestions(warehouse: WarehouseResource):
    with warehouse.connect() as conn:
        result = run_price_suggestions(conn)
    counts: dict[str, int] = {}
    for s in result.suggestions:
        counts[s.status] = counts.get(s.status, 0) + 1
    return dg.MaterializeResult(metadata={"suggested_on": result.suggested_on.isoformat(),
                                          "rows_written": result.written, **{f"status_{k}": v for k, v in counts.items()}})
