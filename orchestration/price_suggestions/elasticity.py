"""Own-price elasticity per listing from its history, shrunk towards its category when the estimate is noisy.

Per listing, a log-log demand model fitted with statsmodels (Poisson GLM, log link, scale from Pearson's
chi-square for overdispersion) on the days around its price changes: log E[units] = a(window) + e log(price)
+ b buy-box share [+ c log(median rival price)] + log season(day). Each window runs up to WINDOW_DAYS either
side of a change of at least `min_change_pct`, cut at the midpoint to the next change, and has its own
intercept, so the estimate compares sales just before and after each change and slow drifts (content edits,
launches) do not pass for price effects. The season is the category's pooled weekday, annual and bank-holiday
pattern (orchestration.forecasting.seasonality), as an offset. Days the offer was not shown (out of stock,
suppressed) and a launch's first 60 days are left out. e is the elasticity.

No change with MIN_DAYS_AT_PRICE usable days either side: status "not_enough_price_variation" and no number.
The estimates are then shrunk (random-effects pooling, DerSimonian-Laird, on two levels: the category's mean
towards the mean of all listings, each listing towards its category): estimate = w x own + (1 - w) x category,
w = tau^2 / (tau^2 + se^2), so a noisy own estimate leans on the category and a precise one keeps its value.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm

from orchestration.forecasting.history import History
from orchestration.forecasting.seasonality import SeasonalModel

MIN_DAYS_AT_PRICE = 14
WINDOW_DAYS = 56
MIN_UNITS = 30
LAUNCH_DAYS = 60
Z80 = 1.2816


@dataclass
class Estimates:
    status: np.ndarray  # estimated | not_enough_price_variation | not_enough_sales
    days_used: np.ndarray
    units_used: np.ndarray
    price_changes: np.ndarray  # price changes with MIN_DAYS_AT_PRICE usable days either side
    own: np.ndarray
    own_se: np.ndarray
    category: np.ndarray  # the category's mean elasticity (NaN when the category had no estimates)
    own_weight: np.ndarray
    elasticity: np.ndarray
    p10: np.ndarray
    p90: np.ndarray


def price_episodes(prices: np.ndarray, usable: np.ndarray, min_change_pct: float) -> np.ndarray:
    """Episode number per day (-1: not used) around each price change of at least min_change_pct with
    MIN_DAYS_AT_PRICE usable days on either side: from the midpoint after the previous change (or
    WINDOW_DAYS before) to the midpoint before the next one (or WINDOW_DAYS after)."""
    t = len(prices)
    log_p = np.log(np.where(prices > 0, prices, np.nan))
    jumps = np.flatnonzero(np.abs(np.diff(log_p)) >= np.log1p(min_change_pct / 100)) + 1
    episodes = np.full(t, -1)
    bounds = [0] + [(a + b) // 2 for a, b in zip(jumps[:-1], jumps[1:])] + [t]
    number = 0
    for k, day in enumerate(jumps):
        lo, hi = max(bounds[k], day - WINDOW_DAYS), min(bounds[k + 1], day + WINDOW_DAYS)
        if usable[lo:day].sum() >= MIN_DAYS_AT_PRICE and usable[day:hi].sum() >= MIN_DAYS_AT_PRICE:
            episodes[lo:hi] = number
            number += 1
    return np.where(usable, episodes, -1)


def _own_estimate(units, price, episode, buy_box, rival, offset) -> tuple[float, float] | None:
    dummies = (episode[:, None] == np.unique(episode)[None, :]).astype(float)
    columns = [dummies, np.log(price / np.median(price))[:, None], buy_box[:, None]]
    if rival is not None:
        columns.append(np.log(rival / np.median(rival))[:, None])
    x = np.hstack(columns)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sm.GLM(units, x, family=sm.families.Poisson(), offset=offset).fit(scale="X2")
    except (ValueError, np.linalg.LinAlgError):
        return None
    k = dummies.shape[1]
    e, se = float(fit.params[k]), float(fit.bse[k])
    if not (np.isfinite(e) and np.isfinite(se)) or se <= 0:
        return None
    return e, se


def _pool(e: np.ndarray, se: np.ndarray, floor: float = 0.02) -> tuple[float, float]:
    """DerSimonian-Laird: (mean, between-listing variance tau^2) of estimates with standard errors."""
    w = 1.0 / se ** 2
    mean = float((w * e).sum() / w.sum())
    q = float((w * (e - mean) ** 2).sum())
    c = float(w.sum() - (w ** 2).sum() / w.sum())
    tau2 = max((q - (len(e) - 1)) / c, 0.0) if c > 0 else 0.0
    # Re-weight with tau^2 for the random-effects mean; a floor keeps some room for the listing's own data.
    tau2 = max(tau2, floor)
    w = 1.0 / (se ** 2 + tau2)
    return float((w * e).sum() / w.sum()), tau2


def category_means(e: np.ndarray, se: np.ndarray, categories: np.ndarray) -> dict[str, float]:
    """Each category's mean elasticity, itself shrunk towards the mean of all listings: a category of a few
    noisy listings says little about its own mean (a second level of the same random-effects pooling)."""
    overall, tau2 = _pool(e, se)
    raw, raw_se, names = [], [], sorted(set(categories))
    for c in names:
        rows = categories == c
        w = 1.0 / (se[rows] ** 2 + tau2)
        raw.append(float((w * e[rows]).sum() / w.sum()))
        raw_se.append(float(np.sqrt(1.0 / w.sum())))
    raw, raw_se = np.array(raw), np.array(raw_se)
    between = _pool(raw, raw_se, floor=0.0)[1] if len(names) > 1 else 0.0
    shrink = between / (between + raw_se ** 2)
    return {c: float(shrink[k] * raw[k] + (1 - shrink[k]) * overall) for k, c in enumerate(names)}


def estimate(history: History, season: SeasonalModel, min_change_pct: float = 3.0,
             rival_prices: np.ndarray | None = None) -> Estimates:
    """Elasticities for every listing of `history`; rival_prices (listings x days, NaN where unknown) optional."""
    n = len(history.listing_ids)
    status = np.full(n, "not_enough_sales", dtype=object)
    days_used, units_used, changes = np.zeros(n, int), np.zeros(n, int), np.zeros(n, int)
    own, own_se = np.full(n, np.nan), np.full(n, np.nan)
    offsets = {c: np.log(season.index(c, history.days)) for c in set(history.categories)}
    first_live = np.where(history.live.any(axis=1), np.argmax(history.live, axis=1), len(history.days))
    # A listing whose sales start after everyone else's was launched inside the history: skip its ramp-up.
    launched = first_live > first_live.min() + 7
    for i in range(n):
        use = history.available[i] & ~np.isnan(history.price[i]) & (history.price[i] > 0)
        if launched[i]:  # its ramp-up is not a price effect
            use[:first_live[i] + LAUNCH_DAYS] = False
        days_used[i], units_used[i] = use.sum(), history.units[i, use].sum()
        if not use.any():
            continue
        episode = price_episodes(history.price[i], use, min_change_pct)
        changes[i] = episode.max() + 1
        if changes[i] < 1:
            status[i] = "not_enough_price_variation"
            continue
        use &= episode >= 0
        days_used[i], units_used[i] = use.sum(), history.units[i, use].sum()
        if units_used[i] < MIN_UNITS:
            continue
        bb = history.buy_box[i, use]
        bb = np.where(np.isnan(bb), np.nanmedian(bb) if (~np.isnan(bb)).any() else 1.0, bb)
        rival = None
        if rival_prices is not None:
            r = rival_prices[i, use]
            if (~np.isnan(r)).mean() >= 0.8 and np.nanstd(np.log(r)) > 0.01:
                rival = np.where(np.isnan(r), np.nanmedian(r), r)
        fitted = _own_estimate(history.units[i, use], history.price[i, use], episode[use], bb, rival,
                               offsets[history.categories[i]][use])
        if fitted is not None:
            own[i], own_se[i] = fitted
            status[i] = "estimated"

    category_mean, weight, used = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    p10, p90 = np.full(n, np.nan), np.full(n, np.nan)
    ok = status == "estimated"
    if ok.any():
        means = category_means(own[ok], own_se[ok], history.categories[ok])
        tau2 = _pool(own[ok], own_se[ok])[1]
        for i in np.flatnonzero(ok):
            mean = means[history.categories[i]]
            w = tau2 / (tau2 + own_se[i] ** 2)
            post_sd = np.sqrt(w * own_se[i] ** 2)
            category_mean[i], weight[i] = mean, w
            used[i] = w * own[i] + (1 - w) * mean
            p10[i], p90[i] = used[i] - Z80 * post_sd, used[i] + Z80 * post_sd
    return Estimates(status, days_used, units_used, changes, own, own_se, category_mean, weight, used, p10, p90)
