"""The SP-API domain: report assets, operational upserts, their jobs and schedules."""

from datetime import timedelta

import dagster as dg

from orchestration.assets.spapi.assets import report_assets, spapi_orders, spapi_sales_and_traffic
from orchestration.assets.spapi.expectations import expectation_checks
from orchestration.assets.spapi.operational import operational_assets, performance_metrics
from orchestration.assets.spapi.resources import bound_spapi_resource

DAILY_ASSETS = [spapi_sales_and_traffic, spapi_orders, performance_metrics]
SNAPSHOT_ASSETS = [a for a in [*report_assets, *operational_assets] if a not in DAILY_ASSETS]
TRAFFIC_REPULL_DAYS = 7  # Amazon revises traffic for several days: re-pull the trailing week

spapi_snapshot_job = dg.define_asset_job(
    "spapi_snapshot_ingestion", selection=dg.AssetSelection.assets(*SNAPSHOT_ASSETS),
    description="Listings, content, fees, stock, suppressions, search terms and supplier files: the catalogue as it is now.",
)
spapi_daily_job = dg.define_asset_job(
    "spapi_daily_ingestion", selection=dg.AssetSelection.assets(*DAILY_ASSETS),
    description="Sales, traffic and orders per day; backfills run as one run.",
)


@dg.schedule(job=spapi_daily_job, cron_schedule="0 6 * * *", execution_timezone="Europe/London",
             description="Every morning: yesterday plus a re-pull of the trailing week (late, revised traffic).")
def trailing_week_schedule(context: dg.ScheduleEvaluationContext):
    yesterday = context.scheduled_execution_time.date() - timedelta(days=1)
    first = yesterday - timedelta(days=TRAFFIC_REPULL_DAYS - 1)
    return dg.RunRequest(
        run_key=f"trailing-week-{yesterday.isoformat()}",
        tags={"dagster/asset_partition_range_start": first.isoformat(),
              "dagster/asset_partition_range_end": yesterday.isoformat()},
    )


snapshot_schedule = dg.ScheduleDefinition(
    job=spapi_snapshot_job, cron_schedule="30 5 * * *", execution_timezone="Europe/London",
    description="Every morning before the daily figures: the catalogue, fees and stock.",
)

defs = dg.Definitions(
    assets=[*report_assets, *operational_assets],
    asset_checks=expectation_checks,
    jobs=[spapi_snapshot_job, spapi_daily_job],
    schedules=[trailing_week_schedule, snapshot_schedule],
    resources={"spapi": bound_spapi_resource()},
)
