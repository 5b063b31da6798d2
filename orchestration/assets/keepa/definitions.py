"""The Keepa domain: competitor discovery daily, history and alerts hourly."""

import dagster as dg

from orchestration.assets.keepa.assets import competitor_alerts, competitor_history, keepa_assets
from orchestration.assets.keepa.resources import bound_keepa_resource

competitor_tracking_job = dg.define_asset_job(
    "competitor_tracking", selection=dg.AssetSelection.assets(competitor_history, competitor_alerts),
    description="Keepa history of tracked competitors, then alerts.",
)
competitor_discovery_job = dg.define_asset_job(
    "competitor_discovery", selection=dg.AssetSelection.assets(*keepa_assets),
    description="Find rivals for your listings, then fetch their history and raise alerts.",
)

defs = dg.Definitions(
    assets=keepa_assets,
    jobs=[competitor_tracking_job, competitor_discovery_job],
    schedules=[
        dg.ScheduleDefinition(job=competitor_tracking_job, cron_schedule="15 * * * *", execution_timezone="Europe/London",
                              description="Hourly: competitor prices, ranks and Buy Box, then alerts."),
        dg.ScheduleDefinition(job=competitor_discovery_job, cron_schedule="0 4 * * *", execution_timezone="Europe/London",
                              description="Daily: look for new rivals before the morning's tracking."),
    ],
    resources={"keepa": bound_keepa_resource()},
)
