"""UK trading calendar for the simulated seller: bank holidays, DIY seasonality, weekday pattern."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np

# Bank holidays that were moved or added by proclamation; no rule can compute them.
_ONE_OFF_MOVES = {
    # 2020: early May moved to Friday 8 May for VE Day 75.
    (2020, "early_may"): dt.date(2020, 5, 8),
    # 2022: spring bank holiday moved to Thursday 2 June for the Platinum Jubilee.
    (2022, "spring"): dt.date(2022, 6, 2),
}
_ONE_OFF_EXTRA = {
    2022: [("platinum_jubilee", dt.date(2022, 6, 3)), ("state_funeral", dt.date(2022, 9, 19))],
    2023: [("coronation", dt.date(2023, 5, 8))],
}

# DIY demand on Amazon UK is highest on Sundays and Mondays (weekend projects, then ordering
# what ran out) and lowest on Fridays and Saturdays. Index 0 = Monday.
WEEKDAY_FACTOR = np.array([1.08, 1.03, 1.00, 0.97, 0.89, 0.92, 1.11])

# How a bank holiday moves a DIY seller's traffic: long spring/summer weekends are project days,
# Christmas Day is dead, Boxing Day is sale browsing.
HOLIDAY_FACTOR = {
    "new_year": 0.85,
    "good_friday": 1.25,
    "easter_monday": 1.30,
    "early_may": 1.30,
    "spring": 1.30,
    "summer": 1.25,
    "christmas": 0.55,
    "boxing_day": 0.95,
}


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _first_monday(year: int, month: int) -> dt.date:
    d = dt.date(year, month, 1)
    return d + dt.timedelta(days=(7 - d.weekday()) % 7)


def _last_monday(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    d = nxt - dt.timedelta(days=1)
    return d - dt.timedelta(days=d.weekday())


@lru_cache(maxsize=256)
def uk_bank_holidays(year: int) -> tuple[tuple[dt.date, str], ...]:
    """England & Wales bank holidays of a year as (date, name), substitute days applied."""
    days: list[tuple[dt.date, str]] = []
    new_year = dt.date(year, 1, 1)
    # A weekend New Year's Day is replaced by the following Monday.
    if new_year.weekday() >= 5:
        new_year += dt.timedelta(days=7 - new_year.weekday())
    days.append((new_year, "new_year"))
    easter = easter_sunday(year)
    days.append((easter - dt.timedelta(days=2), "good_friday"))
    days.append((easter + dt.timedelta(days=1), "easter_monday"))
    days.append((_ONE_OFF_MOVES.get((year, "early_may"), _first_monday(year, 5)), "early_may"))
    days.append((_ONE_OFF_MOVES.get((year, "spring"), _last_monday(year, 5)), "spring"))
    days.append((_last_monday(year, 8), "summer"))
    christmas, boxing = dt.date(year, 12, 25), dt.date(year, 12, 26)
    wd = christmas.weekday()
    if wd == 5:  # Saturday: Monday 27 and Tuesday 28
        christmas, boxing = dt.date(year, 12, 27), dt.date(year, 12, 28)
    elif wd == 6:  # Sunday: Boxing Day stays Monday 26, Christmas moves to Tuesday 27
        christmas = dt.date(year, 12, 27)
    elif wd == 4:  # Friday: Boxing Day falls on Saturday, substitute Monday 28
        boxing = dt.date(year, 12, 28)
    days.append((christmas, "christmas"))
    days.append((boxing, "boxing_day"))
    days.extend((d, name) for name, d in _ONE_OFF_EXTRA.get(year, []))
    return tuple(sorted(days))


def bank_holiday_name(day: dt.date) -> str | None:
    for d, name in uk_bank_holidays(day.year):
        if d == day:
            return name
    return None


def season_factor(day: dt.date) -> float:
    """DIY seasonality: peak in late May/June, trough in late November; March-August above 1."""
    doy = day.timetuple().tm_yday
    base = 1.0 + 0.36 * np.cos(2 * np.pi * (doy - 160) / 365.25)
    # A small gift bump for tools in the run-up to Christmas.
    if day.month == 12 and day.day <= 20:
        base += 0.12
    return float(base)


def day_factor(day: dt.date) -> float:
    """Demand multiplier for a day: season x weekday x bank holiday."""
    name = bank_holiday_name(day)
    holiday = HOLIDAY_FACTOR.get(name, 1.0) if name else 1.0
    # Christmas Eve and the week to New Year are quiet outside the bank holidays themselves.
    if day.month == 12 and day.day >= 24 and name is None:
        holiday = 0.8
    return season_factor(day) * float(WEEKDAY_FACTOR[day.weekday()]) * holiday
