"""Daily unit forecasts per listing: recent level x pooled season, negative binomial intervals.

expected units(listing, day) = level(listing) x season(category, day). The level is the listing's recent
season-adjusted sales rate (days weighted by a 21-day half-life over the last 56 available days, shrunk a
little towards its long-run rate), so a price or content change shows within weeks. The interval is the
negative binomial whose variance adds the category's day-to-day spread (alpha) and the uncertainty of the
level itself (a gamma with the weighted units as its shape).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import psycopg
from scipy import stats

from orchestration.forecasting import settings
from orchestration.forecasting.history import History, read_sql
from orchestration.forecasting.seasonality import SeasonalModel, fit_seasonality, listing_levels

MODEL_VERSION = "pooled_season_level_v1"
LEVEL_DAYS, HALF_LIFE_DAYS, PRIOR_DAYS = 56, 21.0, 3.0
QUANTILES = (0.1, 0.5, 0.9)


@dataclass
class Forecast:
    history: History
    season: SeasonalModel
    origin: dt.date
    days: list[dt.date]
    mean: np.ndarray  # listings x horizon
    shape: np.ndarray  # per listing: gamma shape of the level (weighted units + prior)
    alpha: np.ndarray  # per listing: day-to-day NB alpha of its category

    def quantiles(self, q: float) -> np.ndarray:
        return nb_quantile(q, self.mean, self.alpha[:, None] + 1.0 / self.shape[:, None])

    def sum_quantile(self, q: float, days: np.ndarray) -> np.ndarray:
        """Quantile per listing of the units sold over its first `days[i]` days (days may differ per listing)."""
        cum_mean = np.concatenate([np.zeros((len(self.mean), 1)), np.cumsum(self.mean, axis=1)], axis=1)
        cum_sq = np.concatenate([np.zeros((len(self.mean), 1)), np.cumsum(self.mean ** 2, axis=1)], axis=1)
        k = np.clip(days, 0, self.mean.shape[1])
        m = cum_mean[np.arange(len(k)), k]
        # Day noise is independent between days; the level's uncertainty is shared by all of them.
        extra = self.alpha * cum_sq[np.arange(len(k)), k] + m ** 2 / self.shape
        return nb_quantile(q, m, np.where(m > 0, extra / np.maximum(m, 1e-12) ** 2, 0.0))


def nb_quantile(q: float, mean: np.ndarray, overdispersion: np.ndarray) -> np.ndarray:
    """Quantile of a negative binomial with this mean and Var = mean + overdispersion x mean^2."""
    mean = np.asarray(mean, dtype=float)
    od = np.maximum(np.broadcast_to(overdispersion, mean.shape), 1e-9)
    r = 1.0 / od
    out = stats.nbinom.ppf(q, r, r / (r + np.maximum(mean, 1e-12)))
    return np.where(mean > 0, out, 0.0)


def recent_levels(history: History, season: SeasonalModel) -> tuple[np.ndarray, np.ndarray]:
    """(level, gamma shape) per listing from its last LEVEL_DAYS available days, season-adjusted."""
    n = len(history.listing_ids)
    long_run = np.nan_to_num(listing_levels(history), nan=0.0)
    level, shape = np.zeros(n), np.full(n, PRIOR_DAYS * 0.1)
    start = max(0, len(history.days) - LEVEL_DAYS)
    recent_days = history.days[start:]
    age = np.arange(len(recent_days))[::-1]
    weight = 0.5 ** (age / HALF_LIFE_DAYS)
    indices = {c: season.index(c, recent_days) for c in set(history.categories)}
    whole = {c: season.index(c, history.days).mean() for c in set(history.categories)}
    for i in range(n):
        s = indices[history.categories[i]]
        avail = history.available[i, start:]
        w = weight * avail
        prior_rate = long_run[i] / whole[history.categories[i]]
        a = float((w * history.units[i, start:]).sum()) + PRIOR_DAYS * prior_rate
        b = float((w * s).sum()) + PRIOR_DAYS
        level[i] = a / b
        shape[i] = max(a, 0.1)
    return level, shape


def forecast(history: History, origin: dt.date | None = None, horizon: int = 90,
             season: SeasonalModel | None = None) -> Forecast:
    origin = origin or history.last_day
    season = season or fit_seasonality(history)
    days = [origin + dt.timedelta(days=k) for k in range(1, horizon + 1)]
    level, shape = recent_levels(history, season)
    mean = np.zeros((len(level), horizon))
    for category in set(history.categories):
        rows = history.categories == category
        mean[rows] = level[rows][:, None] * season.index(category, days)[None, :]
    alpha = np.array([season.alpha(c) for c in history.categories])
    return Forecast(history, season, origin, days, mean, shape, alpha)


def write_forecasts(conn: psycopg.Connection, fc: Forecast, rows: np.ndarray | None = None) -> int:
    """Upsert the forecast rows of this origin and model (idempotent), then apply the retention setting.
    `rows`: only these listings (indices into the history)."""
    p10, p50, p90 = (fc.quantiles(q) for q in QUANTILES)
    h = fc.mean.shape[1]
    with conn.transaction():
        conn.execute("CREATE TEMP TABLE forecast_in (listing_id uuid, target_date date, units_p10 numeric, "
                     "units_p50 numeric, units_p90 numeric, units_mean numeric) ON COMMIT DROP")
        with conn.cursor() as cur, cur.copy("COPY forecast_in FROM STDIN") as copy:
            for i in (range(len(fc.mean)) if rows is None else rows):
                lid = fc.history.listing_ids[i]
                for k in range(h):
                    copy.write_row((lid, fc.days[k], p10[i, k], p50[i, k], p90[i, k], round(float(fc.mean[i, k]), 3)))
        written = conn.execute(read_sql("upsert_forecasts"), {"origin": fc.origin, "model": MODEL_VERSION}).rowcount
        retention = settings.read_text(conn, "retention.forecasts", "1 year")
        conn.execute("DELETE FROM inventory.forecasts WHERE forecast_date < %s::date - %s::interval",
                     (fc.origin, retention))
    return written
