"""UK (England & Wales) trading calendar features for demand models: weekday, annual season, bank holidays."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np
from dateutil.easter import easter

FOURIER_ORDER = 2  # two annual harmonics: a DIY spring/summer peak and its shoulders; more overfits ~1 year


def _first_monday(year: int, month: int) -> dt.date:
    d = dt.date(year, month, 1)
    return d + dt.timedelta(days=(7 - d.weekday()) % 7)


def _last_monday(year: int, month: int) -> dt.date:
    d = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    return d - dt.timedelta(days=d.weekday())


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[dt.date]:
    """England & Wales bank holidays by the standing rules, substitute days included (one-off proclamations,
    such as a coronation, are not predictable and are left out)."""
    days = set()
    new_year = dt.date(year, 1, 1)
    if new_year.weekday() >= 5:
        new_year += dt.timedelta(days=7 - new_year.weekday())
    days.add(new_year)
    sunday = easter(year)
    days.update({sunday - dt.timedelta(days=2), sunday + dt.timedelta(days=1)})
    days.update({_first_monday(year, 5), _last_monday(year, 5), _last_monday(year, 8)})
    christmas, boxing = dt.date(year, 12, 25), dt.date(year, 12, 26)
    if christmas.weekday() == 5:
        christmas, boxing = dt.date(year, 12, 27), dt.date(year, 12, 28)
    elif christmas.weekday() == 6:
        christmas = dt.date(year, 12, 27)
    elif christmas.weekday() == 4:
        boxing = dt.date(year, 12, 28)
    days.update({christmas, boxing})
    return frozenset(days)


def feature_names() -> list[str]:
    names = [f"weekday_{d}" for d in range(1, 7)]  # Monday is the reference
    for k in range(1, FOURIER_ORDER + 1):
        names += [f"season_sin_{k}", f"season_cos_{k}"]
    return names + ["bank_holiday", "christmas_week"]


def season_columns() -> list[int]:
    """Columns of the annual Fourier terms in `features`."""
    return list(range(6, 6 + 2 * FOURIER_ORDER))


def features(days: list[dt.date]) -> np.ndarray:
    """Design matrix (no constant) for calendar days: weekday dummies, annual Fourier terms, a bank holiday
    flag and the quiet days from Christmas Eve to New Year's Eve that are not bank holidays."""
    n = len(days)
    out = np.zeros((n, 6 + 2 * FOURIER_ORDER + 2))
    for i, day in enumerate(days):
        wd = day.weekday()
        if wd:
            out[i, wd - 1] = 1.0
        angle = 2 * np.pi * day.timetuple().tm_yday / 365.25
        for k in range(1, FOURIER_ORDER + 1):
            out[i, 6 + 2 * (k - 1)] = np.sin(k * angle)
            out[i, 7 + 2 * (k - 1)] = np.cos(k * angle)
        holiday = day in bank_holidays(day.year)
        out[i, -2] = float(holiday)
        out[i, -1] = float(day.month == 12 and day.day >= 24 and not holiday)
    return out
