"""The reporting domain's Definitions: scheduled exports when a tick is due, charts every morning."""

import dagster as dg

from orchestration.assets.reporting.assets import report_charts, scheduled_report_exports
from orchestration.assets.reporting.sensors import due_exports_sensor

report_exports_job = dg.define_asset_job("run_scheduled_exports", selection=[scheduled_report_exports],
                                         tags={"domain": "reporting"})
report_charts_job = dg.define_asset_job("draw_report_charts", selection=[report_charts], tags={"domain": "reporting"})

report_charts_daily = dg.ScheduleDefinition(name="report_charts_daily", job=report_charts_job,
                                            cron_schedule="30 7 * * *", execution_timezone="Europe/London")

report_schedules_due = due_exports_sensor(report_exports_job)

defs = dg.Definitions(assets=[scheduled_report_exports, report_charts], jobs=[report_exports_job, report_charts_job],
                      schedules=[report_charts_daily], sensors=[report_schedules_due])
