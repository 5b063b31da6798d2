"""Per change and outcome: difference in differences against unchanged same-category listings, with a placebo
date, a synthetic-control cross-check, the minimum detectable effect and a verdict."""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass, field

import numpy as np
import statsmodels.api as sm
from scipy import optimize, stats

from orchestration.attribution.panel import Panel

METHOD = "diff_in_diff_poisson"
METHOD_VERSION = "1.0"
CROSS_CHECK = "synthetic_control_weekly"
OUTCOMES = ("sessions", "conversion", "units", "revenue")
PRIMARY_OUTCOME = "units"  # the event's verdict: one outcome fixed in advance, so one test per change
CI_LEVEL = 0.90
POWER = 0.80
PRE_DAYS, POST_DAYS = 42, 28  # nominal windows either side of the change
MIN_DAYS = 14  # fewer clean days on either side: no estimate
MIN_CONTROLS = 3  # fewer unchanged listings in the category: the whole catalogue is the control pool
MAX_CONTROLS = 60
MIN_UNITS, MIN_SESSIONS = 20, 100  # fewer units (sessions) in the before and after weeks together: no estimate
PLACEBO_MIN_HALF = 14  # days either side of the fake date inside the pre-period
CROSS_CHECK_MIN_WEEKS = 4  # pre-period weeks the synthetic control is fitted on


@dataclass
class Change:
    """One change of one listing, as the estimator needs it."""

    key: str  # the event id (or any caller's key)
    listing_id: str
    change_type: str
    day: dt.date  # the day of the change (the sync that saw it)
    is_price: bool = False


@dataclass
class Estimate:
    outcome: str
    effect: float | None = None  # relative, 0.05 = +5 %
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    mde: float | None = None  # relative, for this listing's volume
    effect_pp: float | None = None  # conversion only: percentage points
    ci_low_pp: float | None = None
    ci_high_pp: float | None = None
    placebo_effect: float | None = None
    placebo_passed: bool | None = None
    cross_check_effect: float | None = None
    cross_check_agrees: bool | None = None
    confidence: float = 0.0
    verdict: str = "inconclusive"
    reason: str = ""


@dataclass
class EventAnalysis:
    change: Change
    estimates: dict[str, Estimate]
    overlapping: list[dict]
    inputs: dict
    metrics_before: dict = field(default_factory=dict)
    metrics_after: dict = field(default_factory=dict)
    series: dict = field(default_factory=dict)  # for the chart: days, treated, control (scaled), interval

    @property
    def primary(self) -> Estimate:
        return self.estimates[PRIMARY_OUTCOME]


def analyse_changes(panel: Panel, changes: list[Change], *, keep_series: bool = False) -> list[EventAnalysis]:
    """Estimate every change; the other changes define which listing-days are clean."""
    change_days: dict[int, np.ndarray] = {}
    by_row: dict[int, list[tuple[int, Change]]] = {}
    for c in changes:
        if c.listing_id not in panel._rows:
            continue
        r = panel.row(c.listing_id)
        by_row.setdefault(r, []).append((panel.day_index(c.day), c))
    for r, items in by_row.items():
        change_days[r] = np.array(sorted({k for k, _ in items}))
    by_category: dict[str, np.ndarray] = {}
    for cat in set(panel.categories):
        by_category[cat] = np.array([i for i, c in enumerate(panel.categories) if c == cat])
    everyone = np.arange(len(panel.listing_ids))
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for c in changes:
            if c.listing_id not in panel._rows:
                continue
            r = panel.row(c.listing_id)
            out.append(_analyse_one(panel, c, r, by_row[r], change_days, by_category, everyone, keep_series))
    return out


def _window(t0: int, siblings: list[tuple[int, Change]], change: Change, day_count: int):
    """Clean pre and post windows and the other changes inside the nominal window (flagged)."""
    pre_start, pre_end = t0 - PRE_DAYS - 1, t0 - 2  # the day before the change is left out: a daily sync
    post_start, post_end = t0 + 1, t0 + POST_DAYS  # may see a change made the afternoon before; and the day itself
    overlapping = []
    for k, other in siblings:
        if other is change:
            continue
        if pre_start <= k <= post_end:
            overlapping.append({"change_type": other.change_type, "day": other.day.isoformat(),
                                "same_day": k == t0})
        if k < t0:
            pre_start = max(pre_start, k + 1)
        elif k > t0:
            post_end = min(post_end, k - 2)
    return max(pre_start, 0), pre_end, post_start, min(post_end, day_count - 1), overlapping


def _controls(panel: Panel, r: int, lo: int, hi: int, change_days, by_category, everyone) -> tuple[np.ndarray, str]:
    def eligible(pool):
        pool = pool[(pool != r)]
        asin = panel.asins[r]
        pool = np.array([i for i in pool if panel.asins[i] != asin], dtype=int)
        if not len(pool):
            return pool
        clean = np.array([not (i in change_days and np.any((change_days[i] >= lo - 1) & (change_days[i] <= hi + 1)))
                          for i in pool])
        pool = pool[clean] if len(pool) else pool
        if not len(pool):
            return pool
        seen = panel.reported[pool, lo:hi + 1].mean(axis=1) >= 0.9
        active = panel.sessions[pool, lo:hi + 1].sum(axis=1) > 0
        return pool[seen & active]

    pool = eligible(by_category[panel.categories[r]])
    scope = "category"
    if len(pool) < MIN_CONTROLS:
        pool, scope = eligible(everyone), "catalogue"
    if len(pool) > MAX_CONTROLS:  # the busiest ones: their sums are the least noisy
        pool = pool[np.argsort(-panel.sessions[pool, lo:hi + 1].sum(axis=1), kind="stable")[:MAX_CONTROLS]]
    return np.sort(pool), scope


def _design(post: np.ndarray, bb: np.ndarray, logp: np.ndarray | None) -> np.ndarray:
    cols = [np.ones_like(post), post]
    for extra in (bb, logp):
        if extra is not None and np.nanstd(extra) > 1e-9:
            cols.append(extra - np.nanmean(extra))
    return np.column_stack(cols)


def _poisson_did(y, offset, X) -> tuple[float, float, int] | None:
    """(log effect, its standard error, residual df) from a quasi-Poisson GLM (Pearson scale) on weekly sums."""
    post = X[:, 1] == 1
    if y.sum() <= 0 or np.sum(y[post]) <= 0 or np.sum(y[~post]) <= 0 or len(y) - X.shape[1] < 2:
        return None
    try:
        res = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset).fit(scale="X2")
    except (ValueError, np.linalg.LinAlgError):
        return None
    b, se = float(res.params[1]), float(res.bse[1])
    if not np.isfinite(b) or not np.isfinite(se) or se <= 0:
        return None
    return b, se, int(max(res.df_resid, 1))


def _weeks(n_pre: int, n_post: int) -> np.ndarray:
    """Week of each day: -1, -2, ... counted back from the change, 1, 2, ... forward; 0 = a partial week (unused)."""
    back = (n_pre - 1 - np.arange(n_pre)) // 7
    pre = np.where(back < n_pre // 7, -(back + 1), 0)
    fwd = np.arange(n_post) // 7
    post = np.where(fwd < n_post // 7, fwd + 1, 0)
    return np.concatenate([pre, post]).astype(int)


def _series_for(outcome: str, panel: Panel, r: int, pool: np.ndarray, days: np.ndarray):
    """(treated y, log offset, usable mask) for one outcome over `days`."""
    s_t, u_t, rev_t = panel.sessions[r, days], panel.units[r, days], panel.revenue[r, days]
    s_c, u_c, rev_c = (panel.sessions[pool][:, days].sum(0), panel.units[pool][:, days].sum(0),
                       panel.revenue[pool][:, days].sum(0))
    selling = panel.reported[r, days] & ~(np.nan_to_num(panel.buy_box[r, days], nan=1.0) <= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if outcome == "sessions":
            return s_t, np.log(s_c), selling & (s_c > 0)
        if outcome == "conversion":
            return u_t, np.log(s_t) + np.log(u_c / s_c), selling & (s_t > 0) & (u_c > 0) & (s_c > 0)
        if outcome == "units":
            return u_t, np.log(u_c), selling & (u_c > 0)
        return rev_t, np.log(rev_c), selling & (rev_c > 0)


def _fit_outcome(outcome, panel, r, pool, pre_days, post_days, is_price):
    """Weekly sums of the usable days (weekday mix cancels inside a week), then the quasi-Poisson DiD."""
    days = np.concatenate([pre_days, post_days])
    y, offset, ok = _series_for(outcome, panel, r, pool, days)
    week = _weeks(len(pre_days), len(post_days))
    ok = ok & (week != 0)
    if ok[:len(pre_days)].sum() < MIN_DAYS // 2 or ok[len(pre_days):].sum() < MIN_DAYS // 2:
        return None, ok
    floor = MIN_SESSIONS if outcome == "sessions" else MIN_UNITS
    counted = panel.sessions[r, days] if outcome == "sessions" else panel.units[r, days]
    # The floor is on both sides together: a floor per side would keep only lucky after-periods of small
    # listings (and bias the effect upwards); given the total, the split before/after is what is measured.
    if counted[ok].sum() < floor:
        return None, ok
    bb = panel.buy_box[r, days]
    price = panel.price[r, days]
    labels = np.unique(week[ok])
    Y, E, B, P, POST = [], [], [], [], []
    for w in labels:
        m = ok & (week == w)
        Y.append(y[m].sum())
        E.append(np.log(np.exp(offset[m]).sum()))
        B.append(np.nanmean(bb[m]) if np.any(~np.isnan(bb[m])) else np.nan)
        P.append(np.nanmean(np.log(price[m])) if np.any(price[m] > 0) else np.nan)
        POST.append(1.0 if w > 0 else 0.0)
    B, P = np.array(B), np.array(P)
    covariate_bb = None if outcome == "sessions" or np.isnan(B).any() else B
    logp = None if is_price or np.isnan(P).any() else P
    X = _design(np.array(POST), covariate_bb, logp)
    return _poisson_did(np.array(Y), np.array(E), X), ok


def _synthetic_control(outcome, panel, r, pool, pre_days, post_days) -> float | None:
    """Relative effect from a weighted mix of controls fitted on the pre-period's weekly figures."""
    weeks_pre = len(pre_days) // 7
    if weeks_pre < CROSS_CHECK_MIN_WEEKS or len(post_days) < 7 or len(pool) < 2:
        return None
    pre = pre_days[len(pre_days) - 7 * weeks_pre:].reshape(weeks_pre, 7)
    post = post_days[:7 * (len(post_days) // 7)].reshape(-1, 7)

    def weekly(rows, bins):
        s = panel.sessions[rows][:, bins].sum(-1)
        u = panel.units[rows][:, bins].sum(-1)
        if outcome == "sessions":
            return s
        if outcome == "units":
            return u
        if outcome == "revenue":
            return panel.revenue[rows][:, bins].sum(-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(s > 0, u / s, np.nan)

    rows = np.concatenate([[r], pool])
    a, b = weekly(rows, pre), weekly(rows, post)
    if np.isnan(a).any() or np.isnan(b).any():  # a week without sessions: drop that control (or give up)
        keep = ~np.isnan(a).any(1) & ~np.isnan(b).any(1)
        if not keep[0] or keep.sum() < 3:
            return None
        a, b = a[keep], b[keep]
    scale = a.mean(1)
    if scale[0] <= 0 or np.any(scale <= 0):
        good = scale > 0
        if not good[0] or good.sum() < 3:
            return None
        a, b, scale = a[good], b[good], scale[good]
    a, b = a / scale[:, None], b / scale[:, None]
    # Non-negative weights summing to one: NNLS with the sum as a heavily weighted extra equation.
    A = np.vstack([a[1:].T, 100.0 * np.ones(a.shape[0] - 1)])
    target = np.concatenate([a[0], [100.0]])
    w, _ = optimize.nnls(A, target)
    synth_pre, synth_post = w @ a[1:], w @ b[1:]
    if synth_pre.mean() <= 0 or synth_post.mean() <= 0 or a[0].mean() <= 0:
        return None
    return float((b[0].mean() / synth_post.mean()) / (a[0].mean() / synth_pre.mean()) - 1.0)


def _metrics(panel: Panel, r: int, days: np.ndarray) -> dict:
    days = days[(days >= 0) & (days < panel.day_count)]
    if not len(days):
        return {}
    s, u, rev = panel.sessions[r, days], panel.units[r, days], panel.revenue[r, days]
    bb, price = panel.buy_box[r, days], panel.price[r, days]
    return {"days": int(len(days)), "sessions_avg": round(float(s.mean()), 2),
            "conversion_rate": round(float(u.sum() / s.sum()), 4) if s.sum() > 0 else None,
            "units_avg": round(float(u.mean()), 2), "revenue_total": round(float(rev.sum()), 2),
            "buy_box_pct_avg": round(float(np.nanmean(bb) * 100), 1) if np.any(~np.isnan(bb)) else None,
            "price_avg": round(float(np.nanmean(price)), 2) if np.any(~np.isnan(price)) else None}


def _analyse_one(panel, change, r, siblings, change_days, by_category, everyone, keep_series) -> EventAnalysis:
    t0 = panel.day_index(change.day)
    pre_start, pre_end, post_start, post_end, overlapping = _window(t0, siblings, change, panel.day_count)
    pre_days = np.arange(pre_start, pre_end + 1) if pre_end >= pre_start else np.array([], int)
    post_days = np.arange(post_start, post_end + 1) if post_end >= post_start else np.array([], int)
    pool, scope = (np.array([], int), "none")
    if len(pre_days) and len(post_days):
        pool, scope = _controls(panel, r, pre_start, post_end, change_days, by_category, everyone)
    inputs = {"method": METHOD, "method_version": METHOD_VERSION, "ci_level": CI_LEVEL,
              "change_day": change.day.isoformat(),
              "pre_window": [panel.day_of(pre_start).isoformat(), panel.day_of(pre_end).isoformat()],
              "post_window": [panel.day_of(post_start).isoformat(), panel.day_of(post_end).isoformat()],
              "left_out_days": [panel.day_of(t0 - 1).isoformat(), change.day.isoformat()],
              "control_scope": scope, "control_listing_ids": [panel.listing_ids[i] for i in pool],
              "covariates": ["buy_box_share"] + ([] if change.is_price else ["log_price"]),
              "model": "quasi-Poisson GLM (Pearson scale) on weekly sums, log link, summed controls as offset; "
                       "out-of-stock or suppressed days (no buy box) left out"}
    analysis = EventAnalysis(change, {}, overlapping, inputs,
                             _metrics(panel, r, np.arange(t0 - 8, t0 - 1)), _metrics(panel, r, np.arange(t0 + 1, t0 + 8)))
    same_day = [o for o in overlapping if o["same_day"]]
    for outcome in OUTCOMES:
        est = Estimate(outcome)
        analysis.estimates[outcome] = est
        if len(pre_days) < MIN_DAYS or len(post_days) < MIN_DAYS:
            est.reason = (f"too few clean days: {len(pre_days)} before and {len(post_days)} after the change, "
                          f"{MIN_DAYS} needed on each side")
            continue
        if len(pool) < MIN_CONTROLS:
            est.reason = f"only {len(pool)} unchanged listings to compare with"
            continue
        fit, ok = _fit_outcome(outcome, panel, r, pool, pre_days, post_days, change.is_price)
        if fit is None:
            est.reason = (f"too little volume to measure (fewer than {MIN_UNITS} units or {MIN_SESSIONS} sessions "
                          "before and after together)")
            continue
        b, se, df = fit
        tq = stats.t.ppf(0.5 + CI_LEVEL / 2, df)
        est.effect, est.ci_low, est.ci_high = np.expm1(b), np.expm1(b - tq * se), np.expm1(b + tq * se)
        est.p_value = float(2 * stats.t.sf(abs(b / se), df))
        est.mde = float(np.expm1((tq + stats.t.ppf(POWER, df)) * se))
        if outcome == "conversion" and analysis.metrics_before.get("conversion_rate") is not None:
            base = _metrics(panel, r, pre_days).get("conversion_rate") or 0.0
            est.effect_pp, est.ci_low_pp, est.ci_high_pp = (100 * base * est.effect, 100 * base * est.ci_low,
                                                            100 * base * est.ci_high)
        # Placebo: the same model on the pre-period alone, with a fake change date in its middle.
        if len(pre_days) >= 2 * PLACEBO_MIN_HALF:
            half = 7 * ((len(pre_days) // 7) // 2)
            pfit, _ = _fit_outcome(outcome, panel, r, pool, pre_days[len(pre_days) - 2 * half:len(pre_days) - half],
                                   pre_days[len(pre_days) - half:], change.is_price)
            if pfit is not None:
                pb, pse, pdf = pfit
                pq = stats.t.ppf(0.5 + CI_LEVEL / 2, pdf)
                est.placebo_effect = float(np.expm1(pb))
                est.placebo_passed = bool(pb - pq * pse <= 0 <= pb + pq * pse)
        est.cross_check_effect = _synthetic_control(outcome, panel, r, pool, pre_days, post_days)
        if est.cross_check_effect is not None:
            cc = np.log1p(est.cross_check_effect)
            est.cross_check_agrees = bool(np.sign(cc) == np.sign(b) or (b - tq * se <= cc <= b + tq * se))
        _verdict(est, scope, same_day, overlapping)
    if keep_series:
        analysis.series = _chart_series(panel, r, pool, t0, pre_start, post_end, analysis.primary)
    return analysis


def _verdict(est: Estimate, scope: str, same_day: list, overlapping: list) -> None:
    claims = est.ci_low > 0 or est.ci_high < 0
    confidence = 100.0 * (1.0 - est.p_value)
    notes = []
    if est.placebo_passed is False:
        confidence *= 0.5
        notes.append("the placebo date before the change also showed a change")
    if est.cross_check_agrees is False:
        confidence *= 0.6
        notes.append("the synthetic-control cross-check disagrees")
    if overlapping:
        confidence *= 0.7
        notes.append("other changes of this listing fall in the window")
    if scope == "catalogue":
        confidence *= 0.8
        notes.append("controls from the whole catalogue (too few unchanged listings in the category)")
    est.confidence = round(min(max(confidence, 0.0), 100.0), 2)
    if not claims:
        est.verdict = "inconclusive"
        est.reason = (f"the {int(CI_LEVEL * 100)}% interval spans zero; the smallest effect this listing's volume "
                      f"can show is about {est.mde * 100:.0f}%")
    elif est.placebo_passed is not True or est.cross_check_agrees is False or same_day:
        est.verdict = "inconclusive"
        if est.placebo_passed is None:
            notes.append("no placebo check possible (fewer than 4 clean weeks before the change)")
        est.reason = "; ".join(notes + (["changed on the same day as another change"] if same_day else []))
    else:
        est.verdict = "improved" if est.ci_low > 0 else "worsened"
        est.reason = "; ".join(notes) or "interval clear of zero, placebo and cross-check agree"


def _chart_series(panel, r, pool, t0, pre_start, post_end, est: Estimate) -> dict:
    """Primary outcome per day for the chart: treated, controls scaled to the treated pre-level, interval band."""
    lo, hi = max(pre_start, 0), min(post_end, panel.day_count - 1)
    days = np.arange(lo, hi + 1)
    y = panel.units[r, days]
    control = panel.units[pool][:, days].sum(0) if len(pool) else np.full(len(days), np.nan)
    pre = days < t0 - 1
    scale = y[pre].sum() / control[pre].sum() if len(pool) and control[pre].sum() > 0 else np.nan
    expected = control * scale
    return {"days": [panel.day_of(k) for k in days], "treated": y, "control": expected, "change_day": panel.day_of(t0),
            "band": None if est.effect is None else (expected * (1 + est.ci_low), expected * (1 + est.ci_high))}
