"""The attribution domain: one asset, a job to run it, and a daily schedule after the morning's ingestion."""

import dagster as dg

from orchestration.assets.attribution.assets import attribution_events

attribution_job = dg.define_asset_job(
    "attribution", selection=dg.AssetSelection.assets(attribution_events),
    description="Record listing changes and measure what each one did.")

defs = dg.Definitions(
    assets=[attribution_events],
    jobs=[attribution_job],
    schedules=[dg.ScheduleDefinition(job=attribution_job, cron_schedule="30 7 * * *",
                                     execution_timezone="Europe/London",
                                     description="Daily: measure changes once yesterday's sales and traffic are in.")],
)
