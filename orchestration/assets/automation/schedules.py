"""Time-based and event rules on a clock: hourly, so a rule's cron window is acted on within the hour."""

import dagster as dg

from orchestration.assets.automation.jobs import automation_rules_tick


@dg.schedule(job=automation_rules_tick, cron_schedule="5 * * * *", execution_timezone="Europe/London",
             description="Hourly: time-based rules whose cron fired, completed tasks and other events.")
def hourly_rules(context: dg.ScheduleEvaluationContext):
    at = context.scheduled_execution_time
    return dg.RunRequest(run_key=f"hourly-rules-{at.isoformat()}", run_config={"ops": {"evaluate_rules": {"config": {
        "trigger_types": ["time_based", "event"], "reason": f"schedule {at.isoformat()}"}}}})
