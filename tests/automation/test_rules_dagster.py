"""The Dagster side: sensors keep cursors, use stable run keys and say why they skip; the job acts; a failed
run queues an alert."""

import dagster as dg
import pytest

from orchestration.assets.automation import definitions as automation
from orchestration.assets.automation.sensors import alert_on_failed_run, rules_after_events, rules_after_marts
from orchestration.resources import WarehouseResource


@pytest.fixture
def instance():
    with dg.instance_for_test() as inst:
        yield inst


def _materialize(instance, key):
    instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=key))


def test_marts_sensor_skips_until_a_mart_materializes_then_requests_once_per_materialization(instance):
    first = rules_after_marts(dg.build_sensor_context(instance=instance))
    assert isinstance(first, dg.SkipReason) and "has materialized yet" in first.skip_message

    _materialize(instance, ["marts", "fct_listing_scores"])
    result = rules_after_marts(dg.build_sensor_context(instance=instance))
    (request,) = result.run_requests
    assert request.run_key.startswith("rules_after_marts:marts/fct_listing_scores@")
    config = request.run_config["ops"]["evaluate_rules"]["config"]
    assert config["trigger_types"] == ["threshold", "competitive"]

    again = rules_after_marts(dg.build_sensor_context(instance=instance, cursor=result.cursor))
    assert isinstance(again, dg.SkipReason) and again.skip_message == "no new materialization since the last tick"

    _materialize(instance, ["pricing", "current_price_margins"])
    later = rules_after_marts(dg.build_sensor_context(instance=instance, cursor=result.cursor))
    (request2,) = later.run_requests
    assert request2.run_key.startswith("rules_after_marts:pricing/current_price_margins@")


def test_events_sensor_asks_for_competitive_and_event_rules_after_keepa_alerts(instance):
    _materialize(instance, ["competitors", "alerts"])
    (request,) = rules_after_events(dg.build_sensor_context(instance=instance)).run_requests
    assert request.run_config["ops"]["evaluate_rules"]["config"]["trigger_types"] == ["competitive", "event"]


def test_the_tick_job_acts_and_reports_what_each_rule_did(conn, migrated_db):
    import tiny_world as tw

    tw.seed_default_rules(conn)
    defs = dg.Definitions.merge(dg.Definitions(resources={"warehouse": WarehouseResource(database_url=migrated_db)}),
                                automation.defs)
    result = defs.resolve_job_def("automation_rules_tick").execute_in_process(run_config={"ops": {"evaluate_rules": {
        "config": {"trigger_types": ["threshold"]}}}})
    assert result.success
    # today's facts: the score row (yesterday of tiny_world's day) is the latest one, so the low score still fires
    assert conn.execute("SELECT count(*) FROM workflow.tasks").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM workflow.rule_executions WHERE dagster_run_id = %s",
                        (result.run_id,)).fetchone()[0] == 2  # the task and the low-stock alert


def test_a_failed_run_queues_one_alert(conn, migrated_db, instance):
    @dg.op
    def boom():
        raise RuntimeError("supplier file missing")

    @dg.job
    def failing():
        boom()

    result = failing.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
    context = dg.build_run_status_sensor_context(sensor_name="alert_on_failed_run", dagster_instance=instance,
                                                 dagster_run=result.dagster_run, dagster_event=failure,
                                                 resources={"warehouse": WarehouseResource(database_url=migrated_db)}
                                                 ).for_run_failure()
    alert_on_failed_run(context)
    alert_on_failed_run(context)  # evaluated twice: still one alert
    rows = conn.execute("SELECT severity, subject, payload->>'run_id' FROM workflow.alert_outbox").fetchall()
    assert rows == [("high", "Dagster run of failing failed", result.run_id)]
