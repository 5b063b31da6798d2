"""Upkeep of the time series without TimescaleDB: partitions ahead of time, retention (no-ops on hypertables)."""


import dagster as dg

from orchestration.resources import WarehouseResource


@dg.op(description="Create next months' partitions and drop those older than each series' retention.")
def time_series_upkeep(context: dg.OpExecutionContext, warehouse: WarehouseResource) -> dg.Output[None]:
    with warehouse.connect() as conn:
        created = conn.execute("SELECT system.ensure_all_partitions()").fetchone()[0]
        dropped = [row[1] for row in conn.execute("SELECT * FROM system.apply_retention()").fetchall()]
    context.log.info("created %s partition(s); dropped %s", created, dropped or "none")
    return dg.Output(None, metadata={"partitions_created": created, "partitions_dropped": len(dropped)})


@dg.job(description="Daily upkeep of partitioned time series (TimescaleDB does this with its own policies).")
def time_series_maintenance():
    time_series_upkeep()


time_series_maintenance_schedule = dg.ScheduleDefinition(
    job=time_series_maintenance, cron_schedule="15 3 * * *", execution_timezone="Europe/London",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

defs = dg.Definitions(jobs=[time_series_maintenance], schedules=[time_series_maintenance_schedule])
