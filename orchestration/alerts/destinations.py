"""Where an alert goes: a destination name resolved to a webhook URL or e-mail recipients, secrets included.

The outbox stores only the destination's name (`default`, `ops`, ...). Its address and the SMTP server
come from the environment first, then from system.creds (encrypted), never from a table in plain text:

  webhook  LISTING_HELPER_ALERT_WEBHOOK_URL[_<NAME>]   or credential alerts.webhook_url.<name>
  email    LISTING_HELPER_ALERT_EMAIL_TO[_<NAME>]      or credential alerts.email_to.<name> (comma-separated)
  SMTP     LISTING_HELPER_SMTP_HOST, _PORT, _USER, _PASSWORD, _FROM, _SECURITY (starttls|ssl|none)
           or credentials smtp.host, smtp.port, smtp.user, smtp.password, smtp.from, smtp.security

The `default` destination uses the variables without a suffix. Every value read here is a secret for
logging purposes: `secrets()` lists them so error messages can be redacted before they are stored.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Mapping

import psycopg

ENV_PREFIX = "LISTING_HELPER_"
SECURITY_MODES = ("starttls", "ssl", "none")


class DestinationError(RuntimeError):
    """A destination is not configured, or configured wrongly. The message never holds a secret value."""


def _suffix(destination: str) -> str:
    return "" if destination == "default" else "_" + re.sub(r"[^A-Za-z0-9]+", "_", destination).upper()


@dataclass(frozen=True)
class WebhookDestination:
    name: str
    url: str = field(repr=False)


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    security: str
    sender: str
    user: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class EmailDestination:
    name: str
    recipients: tuple[str, ...] = field(repr=False)
    server: SmtpServer = field(repr=False)


class Destinations:
    """Resolves destination names; reads the environment first, then system.creds (only if a row exists)."""

    def __init__(self, conn: psycopg.Connection | None = None, env: Mapping[str, str] | None = None):
        self.conn = conn
        self.env = os.environ if env is None else env
        self._store = None
        self._secrets: set[str] = set()
        self._cred_names: set[str] | None = None

    def _value(self, env_name: str, cred_name: str) -> str | None:
        value = (self.env.get(ENV_PREFIX + env_name) or "").strip()
        if not value and self.conn is not None:
            if self._cred_names is None:
                self._cred_names = {n for (n,) in self.conn.execute("SELECT name FROM system.creds").fetchall()}
            if cred_name in self._cred_names:
                if self._store is None:
                    from orchestration.db.secrets import SecretStore

                    self._store = SecretStore(self.conn)
                secret = self._store.get(cred_name)
                value = secret.reveal().strip() if secret is not None else ""
        if value:
            self._secrets.add(value)
        return value or None

    def secrets(self) -> set[str]:
        """Every value resolved so far (URLs, addresses, user names, passwords): redact them from errors."""
        return set(self._secrets)

    def webhook(self, destination: str) -> WebhookDestination:
        env_name = "ALERT_WEBHOOK_URL" + _suffix(destination)
        url = self._value(env_name, f"alerts.webhook_url.{destination}")
        if not url:
            raise DestinationError(f"webhook destination {destination!r} is not configured: set {ENV_PREFIX}{env_name} "
                                   f"or the credential alerts.webhook_url.{destination} (listing-helper secrets set)")
        if not re.match(r"^https?://[^/\s]+", url):
            raise DestinationError(f"webhook destination {destination!r}: {ENV_PREFIX}{env_name} is not an http(s) URL")
        return WebhookDestination(destination, url)

    def smtp_server(self) -> SmtpServer:
        host = self._value("SMTP_HOST", "smtp.host")
        if not host:
            raise DestinationError(f"no SMTP server configured: set {ENV_PREFIX}SMTP_HOST (and _PORT, _USER, "
                                   "_PASSWORD, _FROM) or the credentials smtp.host, smtp.port, ...")
        port_text = self._value("SMTP_PORT", "smtp.port") or "587"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise DestinationError(f"{ENV_PREFIX}SMTP_PORT must be a port number")
        port = int(port_text)
        security = (self._value("SMTP_SECURITY", "smtp.security")
                    or {587: "starttls", 465: "ssl"}.get(port, "none")).lower()
        if security not in SECURITY_MODES:
            raise DestinationError(f"{ENV_PREFIX}SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}")
        user = self._value("SMTP_USER", "smtp.user")
        password = self._value("SMTP_PASSWORD", "smtp.password")
        if bool(user) != bool(password):
            raise DestinationError(f"SMTP login needs both {ENV_PREFIX}SMTP_USER and {ENV_PREFIX}SMTP_PASSWORD")
        sender = self._value("SMTP_FROM", "smtp.from") or user
        if not sender or "@" not in sender:
            raise DestinationError(f"set {ENV_PREFIX}SMTP_FROM to the address alerts are sent from")
        return SmtpServer(host, port, security, sender, user, password)

    def email(self, destination: str) -> EmailDestination:
        env_name = "ALERT_EMAIL_TO" + _suffix(destination)
        text = self._value(env_name, f"alerts.email_to.{destination}")
        recipients = tuple(a.strip() for a in (text or "").split(",") if a.strip())
        if not recipients:
            raise DestinationError(f"e-mail destination {destination!r} is not configured: set {ENV_PREFIX}{env_name} "
                                   f"or the credential alerts.email_to.{destination}")
        if any("@" not in a for a in recipients):
            raise DestinationError(f"e-mail destination {destination!r}: {ENV_PREFIX}{env_name} holds something that "
                                   "is not an address")
        return EmailDestination(destination, recipients, self.smtp_server())


def redact(text: str, secrets: set[str]) -> str:
    """The text with every secret value (longest first) replaced by ***; short values (<4 chars) are left."""
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= 4:
            text = text.replace(secret, "***")
    return text
