"""Scheduled exports run when a schedule's cron tick is due (its cron lives in reporting.schedules, not code)."""

import datetime as dt

import dagster as dg

from orchestration.reporting.schedules import due_exports
from orchestration.resources import WarehouseResource


def due_exports_sensor(job: dg.JobDefinition) -> dg.SensorDefinition:
    @dg.sensor(name="report_schedules_due", job=job, minimum_interval_seconds=300,
               default_status=dg.DefaultSensorStatus.RUNNING,
               description="Every 5 minutes: runs the scheduled exports when a reporting.schedules tick has no "
                           "file yet (run key = the due schedules and ticks, so a tick is requested once).")
    def report_schedules_due(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
        with warehouse.connect(autocommit=True) as conn:
            due, invalid = due_exports(conn, dt.datetime.now(dt.timezone.utc))
        for name, why in invalid:
            context.log.warning(f"schedule {name!r} skipped: {why}")
        if not due:
            return dg.SkipReason("no schedule tick without an export" + (f" ({len(invalid)} invalid)" if invalid else ""))
        key = ",".join(f"{d.schedule_id}@{d.period_start.isoformat()}" for d in due)
        return dg.RunRequest(run_key=f"exports:{key}",
                             tags={"reporting/due": ", ".join(f"{d.schedule_name} {d.period_start:%Y-%m-%d %H:%M}Z"
                                                              for d in due)[:200]})

    return report_schedules_due
