"""Argument types shared by the domain CLIs (argparse `type=`)."""

from __future__ import annotations

import argparse
import datetime as dt


def iso_date(text: str) -> dt.date:
    """A YYYY-MM-DD date, or argparse's usage error naming the bad value."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None
