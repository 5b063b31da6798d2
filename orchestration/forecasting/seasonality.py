"""Weekday, annual season and bank-holiday pattern per category, pooled over its listings (statsmodels GLM).

One listing sells too few units a day to show its own season, so the pattern is learnt from the category's
daily total: units summed over the listings on sale that day, against the sum of those listings' average
daily units as exposure (a listing coming on sale is not mistaken for a season). A Poisson GLM with scale
from Pearson's chi-square (overdispersion) on calendar features; a category with too few sales falls back to
the pattern of all listings together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm

from orchestration.forecasting import uk_calendar
from orchestration.forecasting.history import History

MIN_DAYS_FOR_SEASON = 300
MIN_CATEGORY_UNITS = 1500  # below this a category borrows the pattern of all listings
ALL = "*all*"


@dataclass
class SeasonalModel:
    params: dict[str, np.ndarray]  # category (or ALL) -> GLM coefficients without the constant
    centre: dict[str, float]  # log of the pattern's mean over a calendar year
    dispersion: dict[str, float]  # NB alpha of a single listing-day around its expected units
    source: dict[str, str]  # category -> the pattern it uses (itself or ALL)

    def pattern(self, category: str) -> str:
        return self.source.get(category, ALL)

    def index(self, category: str, days: list[dt.date]) -> np.ndarray:
        """Multiplicative demand factor per day, averaging 1 over a calendar year."""
        name = self.pattern(category)
        return np.exp(uk_calendar.features(days) @ self.params[name] - self.centre[name])

    def alpha(self, category: str) -> float:
        return self.dispersion[self.pattern(category)]


def listing_levels(history: History) -> np.ndarray:
    """Average units per available day per listing (NaN when never available)."""
    days = history.available.sum(axis=1)
    total = np.where(history.available, history.units, 0.0).sum(axis=1)
    return np.where(days > 0, total / np.maximum(days, 1), np.nan)


def _fit(units: np.ndarray, exposure: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, float]:
    keep = exposure > 0
    # Less than ~10 months of history cannot tell a season from a trend: weekday and holidays only then.
    columns = np.ones(x.shape[1], dtype=bool)
    if keep.sum() < MIN_DAYS_FOR_SEASON:
        columns[uk_calendar.season_columns()] = False
    design = sm.add_constant(x[keep][:, columns], has_constant="add")
    fit = sm.GLM(units[keep], design, family=sm.families.Poisson(), offset=np.log(exposure[keep])).fit(scale="X2")
    beta = np.zeros(x.shape[1])
    beta[columns] = np.asarray(fit.params)[1:]
    # Centre the pattern on the calendar year so a listing's level means "units on an average day".
    year = [dt.date(2025, 1, 1) + dt.timedelta(days=k) for k in range(365)]
    return beta, float(np.log(np.exp(uk_calendar.features(year) @ beta).mean()))


def _alpha(history: History, rows: np.ndarray, expected: np.ndarray) -> float:
    """Method-of-moments negative binomial alpha: Var = mu + alpha mu^2 over the rows' available days."""
    y = history.units[rows][history.available[rows]]
    mu = expected[history.available[rows]]
    denominator = float((mu ** 2).sum())
    if denominator <= 0:
        return 0.5
    return float(np.clip((((y - mu) ** 2) - mu).sum() / denominator, 0.01, 5.0))


def fit_seasonality(history: History) -> SeasonalModel:
    x = uk_calendar.features(history.days)
    levels = listing_levels(history)
    usable = ~np.isnan(levels) & (levels > 0)
    groups = {ALL: np.flatnonzero(usable)}
    for category in sorted(set(history.categories)):
        groups[category] = np.flatnonzero(usable & (history.categories == category))
    model = SeasonalModel({}, {}, {}, {})
    for name, rows in groups.items():
        avail = history.available[rows]
        units = np.where(avail, history.units[rows], 0.0).sum(axis=0)
        if not len(rows) or (name != ALL and units.sum() < MIN_CATEGORY_UNITS):
            model.source[name] = ALL
            continue
        exposure = (avail * levels[rows][:, None]).sum(axis=0)
        beta, centre = _fit(units, exposure, x)
        model.params[name], model.centre[name], model.source[name] = beta, centre, name
        # The listing-day spread around level x season: what a single day's forecast interval must cover.
        expected = levels[rows][:, None] * np.exp(x @ beta - centre)[None, :]
        model.dispersion[name] = _alpha(history, rows, expected)
    if ALL not in model.params:
        raise ValueError("no listing has sold anything in the history window: nothing to learn a season from")
    return model
