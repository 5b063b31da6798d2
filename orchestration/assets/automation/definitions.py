"""The automation domain's Definitions: the rules tick job, its sensors and schedule, the run failure alert."""

import dagster as dg

from orchestration.assets.automation.jobs import automation_rules_tick
from orchestration.assets.automation.schedules import hourly_rules
from orchestration.assets.automation.sensors import alert_on_failed_run, rules_after_events, rules_after_marts

defs = dg.Definitions(jobs=[automation_rules_tick], sensors=[rules_after_marts, rules_after_events, alert_on_failed_run],
                      schedules=[hourly_rules])
