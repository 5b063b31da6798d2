"""Sensors that run the rules tick when the data its rules read has changed, and alert on failed runs.

Each keeps a cursor (the latest materialization storage id seen per monitored asset), requests a run
with a run key built from those ids (a re-evaluated tick never starts the same run twice), and says why
it skipped. Marts and write-backs feed threshold and competitive rules; Keepa alerts and the listings
sync feed competitive and event rules.
"""


import json

import dagster as dg
from psycopg.types.json import Jsonb

from orchestration.assets.automation.jobs import automation_rules_tick
from orchestration.resources import WarehouseResource

MARTS = [["marts", "fct_listing_scores"], ["marts", "fct_listing_margins"], ["marts", "fct_listing_competitor_threat"],
         ["marts", "fct_listing_performance_daily"], ["analytics", "listing_scores"],
         ["pricing", "current_price_margins"]]
EVENTS = [["competitors", "alerts"], ["catalog", "listings"]]


def latest_storage_ids(instance: dg.DagsterInstance, keys: list) -> dict:
    """{asset key: storage id of its latest materialization} for the keys that have one."""
    latest = {}
    for key in keys:
        asset_key = dg.AssetKey(key)
        records = instance.fetch_materializations(asset_key, limit=1).records
        if records:
            latest[asset_key.to_user_string()] = records[0].storage_id
    return latest


def changed_since(cursor, latest: dict) -> list:
    seen = json.loads(cursor) if cursor else {}
    return sorted(k for k, v in latest.items() if v > seen.get(k, -1))


def _rules_sensor(name: str, keys: list, trigger_types: list, description: str):
    @dg.sensor(name=name, job=automation_rules_tick, minimum_interval_seconds=60, description=description,
               default_status=dg.DefaultSensorStatus.RUNNING)
    def _sensor(context: dg.SensorEvaluationContext):
        latest = latest_storage_ids(context.instance, keys)
        if not latest:
            return dg.SkipReason(f"none of {', '.join('/'.join(k) for k in keys)} has materialized yet")
        changed = changed_since(context.cursor, latest)
        if not changed:
            return dg.SkipReason("no new materialization since the last tick")
        run_key = f"{name}:" + ",".join(f"{k}@{latest[k]}" for k in changed)
        return dg.SensorResult(
            run_requests=[dg.RunRequest(run_key=run_key, run_config={"ops": {"evaluate_rules": {"config": {
                "trigger_types": trigger_types, "reason": f"materialized: {', '.join(changed)}"}}}})],
            cursor=json.dumps(latest, sort_keys=True))

    return _sensor


rules_after_marts = _rules_sensor(
    "rules_after_marts", MARTS, ["threshold", "competitive"],
    "Threshold and competitive rules, after the dbt marts or their write-backs materialize.")
rules_after_events = _rules_sensor(
    "rules_after_events", EVENTS, ["competitive", "event"],
    "Competitive and event rules, after Keepa alerts or the listings sync materialize.")


@dg.run_failure_sensor(name="alert_on_failed_run", default_status=dg.DefaultSensorStatus.RUNNING,
                       description="Queues a high alert (workflow.alert_outbox) when any run fails.")
def alert_on_failed_run(context: dg.RunFailureSensorContext, warehouse: WarehouseResource):
    run = context.dagster_run
    message = (context.failure_event.message or "run failed").splitlines()[0][:500]
    with warehouse.connect() as conn:
        conn.execute(
            "INSERT INTO workflow.alert_outbox (idempotency_key, channel, destination, severity, subject, payload) "
            "VALUES (%s, 'email', 'default', 'high', %s, %s) ON CONFLICT (idempotency_key) DO NOTHING",
            (f"run-failure:{run.run_id}", f"Dagster run of {run.job_name} failed",
             Jsonb({"run_id": run.run_id, "job": run.job_name, "message": message})))
