"""Calls one SP-API operation with the retries the library does not do: 429 at the advertised rate, 5xx with backoff."""

from __future__ import annotations

import logging
import random
import time
from typing import Callable, TypeVar

import httpx
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base.exceptions import SellingApiException, SellingApiRequestThrottledException

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_WAIT_SECONDS = 60.0  # createReport advertises 0.0167/s, i.e. ~60 s; never wait longer than that per try
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 30.0
_jitter = random.Random()


class TransientHttpError(Exception):
    """Raise from a plain HTTP call (document download) to have a 5xx/429 retried like an SP-API one.

    Carries the status only: httpx's own errors quote the URL, and a document URL is a signed credential.
    """

    def __init__(self, status: int):
        super().__init__(f"HTTP {status}")
        self.status = status


class SpApiUnavailable(RuntimeError):
    """An operation kept failing with throttling, 5xx or transport errors until the retry cap."""

    def __init__(self, operation: str, attempts: int, last_status: int | None, last_error: str | None = None):
        self.operation, self.attempts, self.last_status, self.last_error = operation, attempts, last_status, last_error
        cause = f"HTTP {last_status}" if last_status is not None else (last_error or "unknown error")
        super().__init__(f"SP-API {operation} is unavailable: still failing after {attempts} attempts "
                         f"(last: {cause}); try again later")


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with jitter (half to full of 1, 2, 4, ... seconds, capped)."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
    return ceiling * _jitter.uniform(0.5, 1.0)


def throttle_wait_seconds(headers, attempt: int) -> float:
    """1/rate from x-amzn-RateLimit-Limit (requests per second), else backoff; capped either way."""
    try:
        rate = float((headers or {}).get("x-amzn-RateLimit-Limit"))
    except (TypeError, ValueError):
        rate = 0.0
    wait = 1.0 / rate if rate > 0 else backoff_seconds(attempt)
    return min(wait, MAX_WAIT_SECONDS)


def _classify(exc: BaseException) -> tuple[str, int | None] | None:
    """('throttled' | 'server' | 'transport', status) when worth retrying, None when not."""
    if isinstance(exc, SellingApiRequestThrottledException):
        return "throttled", 429
    if isinstance(exc, SellingApiException):
        # The library raises the bare base class (code 999) for statuses it has no class for
        # (502, ...); those are gateway faults far more often than client mistakes.
        return ("server", exc.code if exc.code < 600 else None) if exc.code >= 500 else None
    if isinstance(exc, AuthorizationError):  # the LWA token endpoint can be throttled or down too
        status = exc.status_code
        return ("throttled" if status == 429 else "server", status) if status == 429 or status >= 500 else None
    if isinstance(exc, TransientHttpError):
        return "server", exc.status
    if isinstance(exc, (httpx.TimeoutException, httpx.TransportError)):
        return "transport", None
    return None


def call_with_retries(fn: Callable[..., T], *args, max_attempts: int = 6, sleep: Callable[[float], None] = time.sleep,
                      operation: str, **kwargs) -> T:
    """fn(*args, **kwargs), retrying throttling, 5xx and transport errors up to max_attempts calls in all.

    4xx other than 429 are the caller's problem and re-raised at once. Messages and logs name the
    operation, attempt, status and exception class only: never headers, URLs or tokens.
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    last_status: int | None = None
    last_error: str | None = None
    for attempt in range(1, max_attempts + 1):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - classified below, anything else re-raised untouched
            kind = _classify(exc)
            if kind is None:
                raise
            last_status, last_error = kind[1], type(exc).__name__
            if attempt == max_attempts:
                raise SpApiUnavailable(operation, attempt, last_status, last_error) from exc
            if kind[0] == "throttled":
                wait = throttle_wait_seconds(getattr(exc, "headers", None), attempt)
            else:
                wait = backoff_seconds(attempt)
            log.info("SP-API %s %s (%s); retry %d of %d in %.2f s", operation,
                     kind[0] if last_status is None else f"{kind[0]} HTTP {last_status}", last_error,
                     attempt, max_attempts - 1, wait)
            sleep(wait)
    raise AssertionError("unreachable")  # the loop either returns or raises
