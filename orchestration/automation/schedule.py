"""Cron schedules of time-based rules: the latest tick at or before a moment (a rule's evaluation window)."""

from __future__ import annotations

import datetime as dt

TIMEZONE = "Europe/London"


def valid_cron(text) -> bool:
    # Dagster's cron helpers (croniter is not a dependency); imported here, as they pull in Dagster (~0.4 s
    # at CLI start-up).
    from dagster._utils.schedules import is_valid_cron_string

    return isinstance(text, str) and is_valid_cron_string(text)


def latest_tick(cron: str, at: dt.datetime, timezone: str = TIMEZONE) -> dt.datetime | None:
    """The latest time at or before `at` that `cron` (in the seller's time zone) fires; None if invalid."""
    if not valid_cron(cron):
        return None
    from dagster._utils.schedules import reverse_cron_string_iterator

    ticks = reverse_cron_string_iterator(at.timestamp(), cron, timezone)
    return next(ticks).astimezone(dt.timezone.utc)
