"""Drains workflow.alert_outbox: claims due alerts, sends each to its webhook or by e-mail, retries with backoff.

A claim sets `sending`, counts the attempt and leases the row until now + alerts.lease_seconds (FOR UPDATE
SKIP LOCKED: two dispatchers never hold the same alert; a crashed one's alerts come back when the lease
ends). Each result commits on its own, right after the send: delivered (never sent again), back to
`pending` with a doubling wait (alerts.retry_base_seconds, capped by alerts.retry_max_seconds), or
`abandoned` with the reason when the receiver refuses for good (HTTP 4xx, SMTP 5xx) or max_attempts is
reached. Errors are redacted of every resolved secret (webhook URL, addresses, SMTP login) before they
are stored or logged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage

import httpx
import psycopg
from psycopg.types.json import Jsonb

from orchestration.alerts.destinations import DestinationError, Destinations, redact

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10.0
SOURCE = "alert_dispatcher"


@dataclass
class OutboxAlert:
    id: str
    idempotency_key: str
    channel: str
    destination: str
    severity: str | None
    subject: str | None
    payload: dict
    attempts: int
    max_attempts: int


@dataclass
class SendResult:
    ok: bool
    error: str | None = None
    permanent: bool = False   # retrying cannot help (the receiver refused the alert itself)


@dataclass
class DeliveryReport:
    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    abandoned: int = 0
    lines: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.claimed} alerts due: {self.delivered} delivered, {self.retried} to retry, "
                f"{self.abandoned} abandoned")


@dataclass(frozen=True)
class RetrySettings:
    base_seconds: float = 60.0
    max_seconds: float = 21600.0
    lease_seconds: float = 300.0

    def backoff(self, attempts: int) -> dt.timedelta:
        """Wait after the `attempts`-th failed attempt: base, 2 x base, 4 x base, ... capped."""
        return dt.timedelta(seconds=min(self.max_seconds, self.base_seconds * 2 ** max(attempts - 1, 0)))


def retry_settings(conn: psycopg.Connection) -> RetrySettings:
    values = dict(conn.execute("SELECT key, value FROM system.settings WHERE key LIKE 'alerts.%%'").fetchall())
    defaults = RetrySettings()
    return RetrySettings(float(values.get("alerts.retry_base_seconds", defaults.base_seconds)),
                         float(values.get("alerts.retry_max_seconds", defaults.max_seconds)),
                         float(values.get("alerts.lease_seconds", defaults.lease_seconds)))


# ----- formatting -----------------------------------------------------------------------------------------

def _detail_lines(alert: OutboxAlert) -> list[str]:
    p = alert.payload or {}
    lines = []
    for key, label in (("why", "Why"), ("message", "Message"), ("job", "Job"), ("run_id", "Run"),
                       ("window", "Window")):
        if p.get(key):
            lines.append(f"{label}: {p[key]}")
    sku = (p.get("facts") or {}).get("listing.sku")
    if sku:
        lines.insert(0, f"Listing: {sku}")
    return lines


def _headline(alert: OutboxAlert) -> str:
    subject = " ".join((alert.subject or "Listing Helper alert").split())  # one line: it is a mail header too
    return f"[{(alert.severity or 'medium').upper()}] {subject}"


def webhook_body(alert: OutboxAlert) -> dict:
    """Slack-compatible (incoming webhook) JSON: `text` for any receiver, `blocks` for Slack's layout."""
    details = _detail_lines(alert)
    text = _headline(alert) + ("\n" + "\n".join(details) if details else "")
    return {"text": text,
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{_headline(alert)}*"}},
                       *([{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(details)}}]
                         if details else []),
                       {"type": "context", "elements": [{"type": "mrkdwn",
                                                         "text": f"Listing Helper · {alert.idempotency_key}"}]}]}


def email_message(alert: OutboxAlert, sender: str, recipients: tuple[str, ...]) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = f"Listing Helper {_headline(alert)}"
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    # The same alert always has the same Message-ID: a mail system that sees it twice can drop the copy.
    digest = hashlib.sha256(alert.idempotency_key.encode()).hexdigest()[:32]
    msg["Message-ID"] = f"<{digest}@listing-helper.alerts>"
    msg["X-Listing-Helper-Idempotency-Key"] = alert.idempotency_key
    msg.set_content("\n".join([_headline(alert), "", *_detail_lines(alert), "",
                               f"Sent by Listing Helper (alert {alert.idempotency_key})."]))
    return msg


# ----- sending ----------------------------------------------------------------------------------------------

class _RedactWebhookUrls(logging.Filter):
    """httpx logs every request's full URL at INFO; a webhook URL is a secret (its path is the token)."""

    urls: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.urls:
            message = record.getMessage()
            redacted = redact(message, self.urls)
            if redacted != message:
                record.msg, record.args = redacted, ()
        return True


_url_filter = _RedactWebhookUrls()
logging.getLogger("httpx").addFilter(_url_filter)


def send_webhook(alert: OutboxAlert, url: str) -> SendResult:
    _url_filter.urls.add(url)
    try:
        response = httpx.post(url, json=webhook_body(alert), timeout=TIMEOUT_SECONDS,
                              headers={"Idempotency-Key": alert.idempotency_key})
    except httpx.HTTPError as exc:
        # Only the kind of failure: httpx's messages may quote the URL, which is a secret.
        return SendResult(False, f"webhook: {type(exc).__name__}")
    if 200 <= response.status_code < 300:
        return SendResult(True)
    permanent = 400 <= response.status_code < 500 and response.status_code not in (408, 425, 429)
    return SendResult(False, f"webhook: HTTP {response.status_code} {response.text[:200].strip()}".rstrip(),
                      permanent)


def send_email(alert: OutboxAlert, destination) -> SendResult:
    server = destination.server
    try:
        if server.security == "ssl":
            client = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT_SECONDS,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
        with client:
            if server.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if server.user:
                client.login(server.user, server.password)
            client.send_message(email_message(alert, server.sender, destination.recipients))
    except smtplib.SMTPRecipientsRefused as exc:
        codes = sorted({code for code, _ in exc.recipients.values()})
        return SendResult(False, f"email: recipients refused (SMTP {', '.join(map(str, codes))})",
                          all(c >= 500 for c in codes))
    except smtplib.SMTPResponseException as exc:
        message = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return SendResult(False, f"email: SMTP {exc.smtp_code} {message[:200]}", exc.smtp_code >= 500)
    except (smtplib.SMTPException, OSError) as exc:
        return SendResult(False, f"email: {type(exc).__name__}: {exc}")
    return SendResult(True)


def send(alert: OutboxAlert, destinations: Destinations) -> SendResult:
    try:
        if alert.channel == "webhook":
            return send_webhook(alert, destinations.webhook(alert.destination).url)
        if alert.channel == "email":
            return send_email(alert, destinations.email(alert.destination))
        return SendResult(False, f"unknown channel {alert.channel!r}", permanent=True)
    except DestinationError as exc:
        # Configuration can still be fixed: retried with backoff like a failed send.
        return SendResult(False, str(exc))
    except Exception as exc:  # noqa: BLE001 - one malformed alert must not stop the others
        log.exception("alert %s could not be sent", alert.idempotency_key)
        return SendResult(False, f"{alert.channel}: {type(exc).__name__}")


# ----- the outbox -------------------------------------------------------------------------------------------

_CLAIM = """
UPDATE workflow.alert_outbox o
SET status = 'sending', attempts = o.attempts + 1, updated_at = now(),
    next_attempt_at = %(at)s + make_interval(secs => %(lease)s)
WHERE o.id IN (SELECT d.id FROM workflow.alert_outbox d
               WHERE d.status IN ('pending', 'sending') AND d.next_attempt_at <= %(at)s
                 AND (%(ids)s::uuid[] IS NULL OR d.id = ANY(%(ids)s::uuid[]))
               ORDER BY d.next_attempt_at, d.created_at
               LIMIT %(limit)s
               FOR UPDATE SKIP LOCKED)
RETURNING o.id::text, o.idempotency_key, o.channel, o.destination, o.severity, o.subject, o.payload, o.attempts,
          o.max_attempts
"""


def claim_due(conn: psycopg.Connection, *, at: dt.datetime, limit: int, lease_seconds: float,
              ids: list[str] | None = None) -> list[OutboxAlert]:
    """Lease up to `limit` due alerts (committed at once, so the lease holds while they are sent)."""
    with conn.transaction():
        rows = conn.execute(_CLAIM, {"at": at, "lease": lease_seconds, "limit": limit, "ids": ids}).fetchall()
    return [OutboxAlert(*row) for row in rows]


def _record(conn: psycopg.Connection, alert: OutboxAlert, result: SendResult, at: dt.datetime,
            retry: RetrySettings) -> str:
    if result.ok:
        status, next_at, error = "delivered", at, None
    elif result.permanent or alert.attempts >= alert.max_attempts:
        status, next_at = "abandoned", at
        why = "refused for good" if result.permanent else f"gave up after {alert.attempts} attempts"
        error = f"{why}: {result.error}"
    else:
        status, next_at = "pending", at + retry.backoff(alert.attempts)
        error = f"attempt {alert.attempts} of {alert.max_attempts}: {result.error}"
    with conn.transaction():
        # Only while this dispatcher still holds the lease it took (same attempt number).
        updated = conn.execute(
            "UPDATE workflow.alert_outbox SET status = %s, next_attempt_at = %s, last_error = %s, updated_at = now(), "
            "delivered_at = CASE WHEN %s = 'delivered' THEN now() END "
            "WHERE id = %s AND status = 'sending' AND attempts = %s",
            (status, next_at, error, status, alert.id, alert.attempts)).rowcount
        if updated and status != "pending":
            conn.execute("INSERT INTO system.audit_log (entity_type, entity_id, action, changes, source, source_id) "
                         "VALUES ('alert', %s, 'update', %s, %s, %s)",
                         (alert.id, Jsonb({"status": status, "attempts": alert.attempts, "channel": alert.channel,
                                           "destination": alert.destination, "error": error}),
                          SOURCE, alert.idempotency_key[:100]))
    return status


def deliver_due(conn: psycopg.Connection, *, at: dt.datetime | None = None, limit: int = 100,
                destinations: Destinations | None = None, ids: list[str] | None = None) -> DeliveryReport:
    """Send every due alert once (up to `limit`); returns what happened. `at` replaces now (tests, catch-up)."""
    at = at or conn.execute("SELECT now()").fetchone()[0]
    retry = retry_settings(conn)
    destinations = destinations or Destinations(conn)
    report = DeliveryReport()
    for alert in claim_due(conn, at=at, limit=limit, lease_seconds=retry.lease_seconds, ids=ids):
        report.claimed += 1
        result = send(alert, destinations)
        if result.error:
            result.error = redact(result.error, destinations.secrets())
        status = _record(conn, alert, result, at, retry)
        where = f"{alert.channel} {alert.destination!r}"
        if status == "delivered":
            report.delivered += 1
            report.lines.append(f"delivered {alert.subject!r} to {where}")
        elif status == "abandoned":
            report.abandoned += 1
            report.lines.append(f"abandoned {alert.subject!r} to {where}: {result.error}")
            log.warning("alert %s to %s abandoned: %s", alert.idempotency_key, where, result.error)
        else:
            report.retried += 1
            report.lines.append(f"will retry {alert.subject!r} to {where}: {result.error}")
            log.warning("alert %s to %s failed (attempt %s of %s): %s", alert.idempotency_key, where,
                        alert.attempts, alert.max_attempts, result.error)
    return report


__all__ = ["DeliveryReport", "OutboxAlert", "RetrySettings", "SendResult", "claim_due", "deliver_due",
           "email_message", "retry_settings", "send", "webhook_body"]
