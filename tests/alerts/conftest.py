"""Fixtures of the alert delivery tests: one migrated database for the directory, an emptied outbox per test,
and the local receivers (webhook over HTTP, SMTP over a socket)."""

import psycopg
import pytest
from alert_receivers import SMTP_PASSWORD, SMTP_USER, WEBHOOK_TOKEN, SmtpReceiver, WebhookReceiver

from orchestration.db import migrate



@pytest.fixture(scope="session")
def migrated_db(scratch) -> str:
    url = scratch.create("lh_test_alerts")
    with psycopg.connect(url, autocommit=True) as conn:
        migrate.migrate(conn)
    return url


@pytest.fixture
def conn(migrated_db):
    with psycopg.connect(migrated_db, autocommit=True) as connection:
        for table in ("workflow.alert_outbox", "workflow.rule_executions", "workflow.automation_rules",
                      "catalog.listings", "system.creds", "system.audit_log"):
            connection.execute(f"DELETE FROM {table}")
        yield connection


@pytest.fixture(scope="session")
def webhook():
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="session")
def smtp():
    with SmtpReceiver(SMTP_USER, SMTP_PASSWORD) as receiver:
        yield receiver


@pytest.fixture
def receivers(webhook, smtp):
    webhook.requests.clear()
    webhook.statuses[:] = [200]
    smtp.messages.clear()
    smtp.mail_replies[:] = ["250 OK"]
    return webhook, smtp


@pytest.fixture
def env(receivers):
    """The destinations as a seller configures them: environment variables (the webhook URL holds a token)."""
    webhook, smtp = receivers
    return {"LISTING_HELPER_ALERT_WEBHOOK_URL": webhook.url(f"/services/{WEBHOOK_TOKEN}"),
            "LISTING_HELPER_ALERT_EMAIL_TO": "owner@example.test, ops@example.test",
            "LISTING_HELPER_SMTP_HOST": "127.0.0.1", "LISTING_HELPER_SMTP_PORT": str(smtp.port),
            "LISTING_HELPER_SMTP_SECURITY": "none", "LISTING_HELPER_SMTP_USER": SMTP_USER,
            "LISTING_HELPER_SMTP_PASSWORD": SMTP_PASSWORD, "LISTING_HELPER_SMTP_FROM": "listing-helper@example.test"}
