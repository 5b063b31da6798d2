"""The one place Keepa's hard-coded https://api.keepa.com is pointed at the configured base URL.

keepa 1.6.0 builds every URL as f"https://api.keepa.com/{request_type}/?" and sends it with the
module-level requests.get, i.e. a throw-away Session per call: there is no session or base-URL
hook to configure. So the redirect lives in a requests transport adapter that rewrites the
URL prefix, mounted on a Session we own; client.SellerKeepa routes the library's calls through
that Session. Production and sandbox differ only by the configured base URL; with the real base
URL the adapter changes nothing. No module function of keepa is replaced.

Keepa takes the access key as a query parameter, so every URL carries it: urllib3 logs request
lines at DEBUG and requests puts the URL in connection errors. Setting up the transport masks the
key in those loggers' records (redact_url_logging), and the client re-raises transport errors with
the key masked (redacted_error), so the key never reaches our logs, asset metadata or error messages.
"""

from __future__ import annotations

import logging
import re

import requests
from requests.adapters import HTTPAdapter

KEEPA_BASE_URL = "https://api.keepa.com"
# The loggers that write request URLs (urllib3's request lines, retries and redirects).
URL_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry", "urllib3.poolmanager", "requests")
_KEY_IN_URL = re.compile(r"([?&]key=)[^&#\s'\"]+", re.IGNORECASE)


def redact(text: str) -> str:
    """`text` with the value of any key=... query parameter masked."""
    return _KEY_IN_URL.sub(r"\1***", text)


class RedactKeepaKey(logging.Filter):
    """Masks key=... in a record's message before any handler sees it (a filter may edit the record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's problem, not ours to hide
            return True
        if _KEY_IN_URL.search(message):
            record.msg, record.args = redact(message), None
        return True


_REDACTOR = RedactKeepaKey()


def redact_url_logging() -> None:
    """Install the key mask on the URL-writing loggers (once; a logger's filters see its own records)."""
    for name in URL_LOGGERS:
        logger = logging.getLogger(name)
        if _REDACTOR not in logger.filters:
            logger.addFilter(_REDACTOR)


def redacted_error(exc: requests.RequestException) -> requests.RequestException:
    """The same kind of transport error with the key masked, and no chain back to the original."""
    message = redact(str(exc))
    try:
        clean = type(exc)(message)
    except Exception:
        clean = requests.RequestException(message)
    clean.__suppress_context__ = True
    return clean


class KeepaBaseUrlAdapter(HTTPAdapter):
    """Sends requests addressed to api.keepa.com to `base_url` instead (same path and query)."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def send(self, request, **kwargs):
        if request.url.startswith(KEEPA_BASE_URL + "/") and self.base_url != KEEPA_BASE_URL:
            request.url = self.base_url + request.url[len(KEEPA_BASE_URL):]
        return super().send(request, **kwargs)


def keepa_session(base_url: str = KEEPA_BASE_URL) -> requests.Session:
    redact_url_logging()
    session = requests.Session()
    session.mount(KEEPA_BASE_URL + "/", KeepaBaseUrlAdapter(base_url))
    return session
