"""The forecasting domain's Definitions: forecasts and reorders, price suggestions, their job and schedule."""

import dagster as dg

from orchestration.assets.forecasting.assets import demand_forecasts, price_suggestions

forecasting_job = dg.define_asset_job(
    "forecasts_and_price_suggestions", selection=dg.AssetSelection.assets(demand_forecasts, price_suggestions),
    description="Demand forecasts, reorder suggestions and price suggestions from the latest history and marts.",
)

forecasting_schedule = dg.ScheduleDefinition(
    job=forecasting_job, cron_schedule="0 8 * * *", execution_timezone="Europe/London",
    description="Every morning after the daily figures and the dbt build.",
)

defs = dg.Definitions(assets=[demand_forecasts, price_suggestions], jobs=[forecasting_job],
                      schedules=[forecasting_schedule])
