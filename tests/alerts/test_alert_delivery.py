"""Alert delivery from workflow.alert_outbox to a local webhook and a local SMTP server: once per alert,
retried with backoff, abandoned with the reason, and never a secret in an error or a log line."""

import datetime as dt
import logging

import psycopg
from alert_receivers import SMTP_USER, WEBHOOK_TOKEN, free_port
from psycopg.types.json import Jsonb

from orchestration.alerts.delivery import claim_due, deliver_due
from orchestration.alerts.destinations import Destinations

AT = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.timezone.utc)


def _queue(conn, key="rule:r1:l1:2026-11-20", channel="webhook", destination="default", max_attempts=8):
    return conn.execute(
        "INSERT INTO workflow.alert_outbox (idempotency_key, channel, destination, severity, subject, payload, "
        "max_attempts, next_attempt_at) VALUES (%s, %s, %s, 'high', 'Low stock on DRILL-1: 3 left', %s, %s, %s) "
        "RETURNING id::text",
        (key, channel, destination, Jsonb({"why": "stock.available_qty=3", "facts": {"listing.sku": "DRILL-1"}}),
         max_attempts, AT)).fetchone()[0]


def _row(conn, alert_id):
    return conn.execute("SELECT status, attempts, next_attempt_at, last_error, delivered_at IS NOT NULL "
                        "FROM workflow.alert_outbox WHERE id = %s", (alert_id,)).fetchone()


def test_a_webhook_alert_is_posted_as_slack_json_once(conn, receivers, env):
    webhook, _ = receivers
    alert = _queue(conn)
    report = deliver_due(conn, at=AT, destinations=Destinations(conn, env))
    assert (report.delivered, report.retried, report.abandoned) == (1, 0, 0)
    [request] = webhook.requests
    assert request["path"] == f"/services/{WEBHOOK_TOKEN}"
    assert request["headers"]["Idempotency-Key"] == "rule:r1:l1:2026-11-20"
    body = request["json"]
    assert body["text"].startswith("[HIGH] Low stock on DRILL-1: 3 left")
    assert "Listing: DRILL-1" in body["text"] and body["blocks"][0]["type"] == "section"
    assert _row(conn, alert)[:2] == ("delivered", 1) and _row(conn, alert)[4]
    # a second dispatcher run, even much later, sends nothing again
    again = deliver_due(conn, at=AT + dt.timedelta(days=1), destinations=Destinations(conn, env))
    assert again.claimed == 0 and len(webhook.requests) == 1
    assert conn.execute("SELECT changes->>'status' FROM system.audit_log WHERE entity_type = 'alert'"
                        ).fetchall() == [("delivered",)]


def test_a_failing_webhook_is_retried_with_a_doubling_wait_then_delivered(conn, receivers, env):
    webhook, _ = receivers
    webhook.statuses[:] = [503, 500, 200]
    alert = _queue(conn)
    deliver_due(conn, at=AT, destinations=Destinations(conn, env))
    status, attempts, next_at, error, _ = _row(conn, alert)
    assert (status, attempts, next_at) == ("pending", 1, AT + dt.timedelta(seconds=60))
    assert error.startswith("attempt 1 of 8: webhook: HTTP 503")
    # not due before its wait is over
    assert deliver_due(conn, at=AT + dt.timedelta(seconds=59), destinations=Destinations(conn, env)).claimed == 0
    second = AT + dt.timedelta(seconds=60)
    deliver_due(conn, at=second, destinations=Destinations(conn, env))
    assert _row(conn, alert)[:3] == ("pending", 2, second + dt.timedelta(seconds=120))
    deliver_due(conn, at=second + dt.timedelta(seconds=120), destinations=Destinations(conn, env))
    assert _row(conn, alert)[:2] == ("delivered", 3) and len(webhook.requests) == 3


def test_a_refused_webhook_is_abandoned_with_the_reason_and_no_secret_anywhere(conn, receivers, env, caplog):
    webhook, _ = receivers
    webhook.statuses[:] = [404]
    alert = _queue(conn)
    with caplog.at_level(logging.DEBUG):
        report = deliver_due(conn, at=AT, destinations=Destinations(conn, env))
    status, attempts, _, error, delivered = _row(conn, alert)
    assert (status, attempts, delivered, report.abandoned) == ("abandoned", 1, False, 1)
    assert error == "refused for good: webhook: HTTP 404 invalid_token"
    stored = " ".join(str(r) for r in conn.execute("SELECT * FROM workflow.alert_outbox").fetchall())
    stored += " ".join(str(r) for r in conn.execute("SELECT changes FROM system.audit_log").fetchall())
    for secret in ("XyZsecretWebhookToken",):
        assert secret not in stored and secret not in caplog.text and secret not in " ".join(report.lines)


def test_an_unreachable_receiver_is_retried_until_max_attempts_then_abandoned(conn, receivers, env, caplog):
    port = free_port()
    env = {**env, "LISTING_HELPER_ALERT_WEBHOOK_URL": f"http://127.0.0.1:{port}/hooks/{WEBHOOK_TOKEN}"}
    alert = _queue(conn, max_attempts=2)
    with caplog.at_level(logging.WARNING):
        deliver_due(conn, at=AT, destinations=Destinations(conn, env))
        assert _row(conn, alert)[:2] == ("pending", 1)
        deliver_due(conn, at=AT + dt.timedelta(minutes=1), destinations=Destinations(conn, env))
    status, attempts, _, error, _ = _row(conn, alert)
    assert (status, attempts) == ("abandoned", 2)
    assert error == "gave up after 2 attempts: webhook: ConnectError"
    assert WEBHOOK_TOKEN not in caplog.text and "abandoned" in caplog.text


def test_an_email_alert_is_sent_through_smtp_with_login_once(conn, receivers, env):
    _, smtp = receivers
    alert = _queue(conn, channel="email")
    deliver_due(conn, at=AT, destinations=Destinations(conn, env))
    [message] = smtp.messages
    assert message["from"] == "listing-helper@example.test"
    assert message["to"] == ["owner@example.test", "ops@example.test"]
    assert "Subject: Listing Helper [HIGH] Low stock on DRILL-1: 3 left" in message["data"]
    assert "X-Listing-Helper-Idempotency-Key: rule:r1:l1:2026-11-20" in message["data"]
    assert _row(conn, alert)[:2] == ("delivered", 1)
    deliver_due(conn, at=AT + dt.timedelta(hours=1), destinations=Destinations(conn, env))
    assert len(smtp.messages) == 1


def test_a_temporary_smtp_refusal_is_retried(conn, receivers, env):
    _, smtp = receivers
    smtp.mail_replies[:] = ["451 4.3.0 Try again later", "250 OK"]
    alert = _queue(conn, channel="email")
    deliver_due(conn, at=AT, destinations=Destinations(conn, env))
    assert _row(conn, alert)[0] == "pending" and "SMTP 451" in _row(conn, alert)[3]
    deliver_due(conn, at=AT + dt.timedelta(minutes=1), destinations=Destinations(conn, env))
    assert _row(conn, alert)[:2] == ("delivered", 2) and len(smtp.messages) == 1


def test_a_wrong_smtp_password_is_abandoned_without_the_password_in_the_error(conn, receivers, env, caplog):
    env = {**env, "LISTING_HELPER_SMTP_PASSWORD": "wrong-Passw0rd-123"}
    alert = _queue(conn, channel="email")
    with caplog.at_level(logging.DEBUG):
        deliver_due(conn, at=AT, destinations=Destinations(conn, env))
    status, _, _, error, _ = _row(conn, alert)
    assert status == "abandoned" and error.startswith("refused for good: email: SMTP 535")
    # the receiver echoed "user:password" back; both are redacted
    assert "***:***" in error
    for secret in ("wrong-Passw0rd-123", SMTP_USER):
        assert secret not in error and secret not in caplog.text


def test_an_unconfigured_destination_waits_and_names_the_setting(conn, receivers):
    alert = _queue(conn, channel="webhook", destination="ops-team")
    deliver_due(conn, at=AT, destinations=Destinations(conn, {}))
    status, _, _, error, _ = _row(conn, alert)
    assert status == "pending"
    assert "LISTING_HELPER_ALERT_WEBHOOK_URL_OPS_TEAM" in error and "alerts.webhook_url.ops-team" in error


def test_secrets_come_from_the_environment_first_then_system_creds(conn, receivers, env, monkeypatch):
    from orchestration.db.secrets import SecretStore, generate_key

    webhook, _ = receivers
    monkeypatch.setenv("LISTING_HELPER_SECRET_KEY", generate_key())
    SecretStore(conn).put("alerts.webhook_url.ops", "webhook", webhook.url("/from-creds"))
    _queue(conn, key="a1", destination="ops")
    deliver_due(conn, at=AT, destinations=Destinations(conn, {}))
    _queue(conn, key="a2", destination="ops")
    deliver_due(conn, at=AT, destinations=Destinations(conn, {"LISTING_HELPER_ALERT_WEBHOOK_URL_OPS":
                                                               webhook.url("/from-env")}))
    assert [r["path"] for r in webhook.requests] == ["/from-creds", "/from-env"]


def test_an_alert_held_by_one_dispatcher_is_not_sent_by_another_until_its_lease_ends(conn, migrated_db, receivers,
                                                                                      env):
    webhook, _ = receivers
    alert = _queue(conn)
    with psycopg.connect(migrated_db, autocommit=True) as other:
        assert [a.id for a in claim_due(other, at=AT, limit=10, lease_seconds=300)] == [alert]
    # the first dispatcher "crashed": nothing is due during its lease, the alert comes back after it
    assert deliver_due(conn, at=AT + dt.timedelta(seconds=299), destinations=Destinations(conn, env)).claimed == 0
    deliver_due(conn, at=AT + dt.timedelta(seconds=301), destinations=Destinations(conn, env))
    assert _row(conn, alert)[:2] == ("delivered", 2) and len(webhook.requests) == 1


def test_a_send_alert_rule_is_delivered_end_to_end_once(conn, receivers, env):
    from orchestration.automation.engine import run_tick
    from orchestration.automation.rules import save_rule

    webhook, _ = receivers
    conn.execute("INSERT INTO catalog.listings (asin, sku, title) VALUES ('B0ALERT001', 'DRILL-9', 'Drill')")
    save_rule(conn, name="every active listing", trigger_type="threshold",
              trigger_config={"metric": "listing.status", "operator": "eq", "value": "active"},
              action_type="send_alert", action_config={"channel": "webhook", "severity": "critical",
                                                       "message": "Check {listing.sku}"})
    assert run_tick(conn).acted == 1 and run_tick(conn).acted == 0
    deliver_due(conn, destinations=Destinations(conn, env))
    deliver_due(conn, destinations=Destinations(conn, env))
    [request] = webhook.requests
    assert request["json"]["text"].startswith("[CRITICAL] Check DRILL-9")
    assert request["headers"]["Idempotency-Key"].startswith("rule:")


def test_the_dagster_sensor_asks_for_one_delivery_run_while_alerts_are_due(conn, migrated_db, receivers, env,
                                                                           monkeypatch):
    import dagster as dg

    from orchestration.assets.alerts import definitions
    from orchestration.assets.alerts.definitions import alert_delivery, alerts_due
    from orchestration.resources import WarehouseResource

    webhook, _ = receivers
    monkeypatch.setattr(definitions, "_slot", lambda: 7)
    warehouse = WarehouseResource(database_url=migrated_db)
    with dg.build_sensor_context(resources={"warehouse": warehouse}) as context:
        assert "no alert is due" in alerts_due(context).skip_message
    conn.execute("INSERT INTO workflow.alert_outbox (idempotency_key, channel, subject, payload) "
                 "VALUES ('k1', 'webhook', 'Run failed', '{}')")
    with dg.build_sensor_context(resources={"warehouse": warehouse}) as context:
        first = alerts_due(context)
        assert len(first.run_requests) == 1
        context.update_cursor(first.cursor)
        assert "already handed" in alerts_due(context).skip_message
        monkeypatch.setattr(definitions, "_slot", lambda: 8)  # a run that never started is asked for again
        assert len(alerts_due(context).run_requests) == 1
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = alert_delivery.execute_in_process(resources={"warehouse": warehouse})
    assert result.success and result.output_for_node("deliver_alerts") == 1
    assert len(webhook.requests) == 1


def test_alerts_list_and_deliver_speak_the_sellers_words(conn, migrated_db, receivers, env, monkeypatch, capsys):
    import argparse

    from orchestration.alerts import cli

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("LISTING_HELPER_DATABASE_URL", migrated_db)
    conn.execute("INSERT INTO workflow.alert_outbox (idempotency_key, channel, severity, subject, payload) "
                 "VALUES ('k-email', 'email', 'high', 'Low stock on DRILL-1\nand more', '{}'), "
                 "('k-hook', 'webhook', 'low', 'Buy Box lost on SAW-2', '{}')")
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(["alerts", "deliver"])
    assert args.func(args) == 0
    assert "2 alerts due: 2 delivered, 0 to retry, 0 abandoned" in capsys.readouterr().out
    args = parser.parse_args(["alerts", "list", "--status", "delivered"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "alerts: 0 pending, 0 sending, 2 delivered, 0 abandoned" in out
    assert "delivered webhook/default [low] Buy Box lost on SAW-2" in out
    _, smtp = receivers
    assert "Subject: Listing Helper [HIGH] Low stock on DRILL-1 and more" in smtp.messages[0]["data"]
