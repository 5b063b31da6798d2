"""The alerts domain's Definitions: a job that drains workflow.alert_outbox and a sensor that starts it.

The sensor looks at the outbox once a minute: when alerts are due it requests a delivery run keyed by the
due alerts' (id, attempt) set and the 10-minute slot, so a re-evaluation never starts the same delivery
twice, yet a run that never started is asked for again in the next slot; it says why it skips otherwise.
Retries are the outbox's own (backoff in next_attempt_at), not Dagster's.
"""

import hashlib
import time

import dagster as dg

from orchestration.alerts.delivery import deliver_due
from orchestration.resources import WarehouseResource


class DeliverAlertsConfig(dg.Config):
    limit: int = 100
    """Most alerts sent by one run; the rest wait for the next."""


@dg.op(description="Send the due alerts of workflow.alert_outbox to their webhooks and e-mail recipients.")
def deliver_alerts(context: dg.OpExecutionContext, config: DeliverAlertsConfig, warehouse: WarehouseResource):
    with warehouse.connect(autocommit=True) as conn:
        report = deliver_due(conn, limit=config.limit)
    for line in report.lines:
        if not line.startswith("delivered"):
            context.log.warning(line)
    # Counts only: subjects may name listings, errors are already redacted but stay in the outbox.
    context.add_output_metadata({"due": report.claimed, "delivered": report.delivered, "to_retry": report.retried,
                                 "abandoned": report.abandoned})
    return report.delivered


@dg.job(description="Deliver the alerts waiting in the outbox (webhook, e-mail), with retries and backoff.",
        tags={"domain": "alerts"})
def alert_delivery():
    deliver_alerts()


def _slot() -> int:
    """The current 10-minute slot: the same due alerts are asked for again once per slot."""
    return int(time.time() // 600)


@dg.sensor(job=alert_delivery, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING,
           description="Starts alert_delivery when workflow.alert_outbox holds alerts that are due.")
def alerts_due(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    with warehouse.connect() as conn:
        due = conn.execute("SELECT id::text, attempts FROM workflow.alert_outbox WHERE status IN ('pending', 'sending') "
                           "AND next_attempt_at <= now() ORDER BY id").fetchall()
    if not due:
        return dg.SkipReason("no alert is due")
    key = hashlib.sha256(";".join(f"{i}:{a}" for i, a in due).encode()).hexdigest()[:16]
    slot = _slot()
    if context.cursor == f"{key}:{slot}":
        return dg.SkipReason(f"{len(due)} due alerts already handed to a delivery run")
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=f"alerts-due:{key}:{slot}")], cursor=f"{key}:{slot}")


defs = dg.Definitions(jobs=[alert_delivery], sensors=[alerts_due])
