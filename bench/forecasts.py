"""Benchmark (issue 6): elasticity estimated vs planted, and 28-day forecasts vs held-out days, against baselines.

    .venv/bin/python bench/forecasts.py                              # the default demo size: 200 x 450
    .venv/bin/python bench/forecasts.py --listings 2000 --days 450   # a larger run
    .venv/bin/python bench/forecasts.py --listings 40 --days 200     # smoke

The world is the sandbox seller, loaded straight into the tables (bench/dbt_build.py's loaders: the catalogue
through the ingestion's upserts, the daily metrics and price changes COPYed from the world's generators),
without its last 28 days: those are held out. Then, as production runs them (orchestration.forecasting,
orchestration.price_suggestions), the elasticities are estimated and the forecast made from the last loaded
day. Printed:
- elasticity, for every listing with enough price variation: the estimate used (own, shrunk towards its
  category) against the planted elasticity (world.arrays["elasticity"]), next to the listing's own estimate
  unshrunk and to one pooled number for every listing, all in the same run; 80 % interval coverage;
- forecasts: the 28 held-out days against the forecast's mean (daily and 28-day total errors, per listing)
  next to seasonal-naive forecasts made from the same loaded days (the same weekday last week; the same
  weekday 52 weeks back), and the share of held-out days inside the p10-p90 interval.
Only the benchmark reads the planted truth.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import psycopg  # noqa: E402
from scipy import stats  # noqa: E402

from common import peak_rss_mb, scratch_database  # noqa: E402
from dbt_build import load_catalogue, load_supply, stream_days  # noqa: E402
from orchestration.forecasting.runs import run_forecasts  # noqa: E402
from orchestration.forecasting.history import load_history  # noqa: E402
from orchestration.price_suggestions import elasticity as elasticities  # noqa: E402
from orchestration.sandbox import build_world  # noqa: E402
from orchestration.sandbox.world import default_end_date  # noqa: E402

HOLD_OUT = 28


def load_world(conn, world, hold_out: int = HOLD_OUT) -> tuple[dict[str, str], list[dt.date]]:
    """The world into a migrated database without its last `hold_out` days; returns (sku -> id, held-out days)."""
    ids = load_catalogue(conn, world)
    load_supply(conn, world)
    listing_ids = np.array([ids.get(x.sku, "") for x in world.listings], dtype=object)
    window = world.window()
    loaded, held = window[:len(window) - hold_out], window[len(window) - hold_out:]
    stream_days(conn, world, loaded, listing_ids, None)
    conn.execute("ANALYZE")
    return ids, held


def held_out_units(world, history, held: list[dt.date]) -> np.ndarray:
    idx = {x.sku: x.idx for x in world.listings}
    rows = np.array([idx[s] for s in history.skus])
    return np.stack([world.day(d).units[rows] for d in held], axis=1).astype(float)


def seasonal_naive(history, horizon: int, lag: int) -> np.ndarray:
    """Each held-out day gets the units of the same weekday `lag` days before it, taken from loaded days only
    (lag 7: last week repeated; lag 364: the same weekday a year back)."""
    t = len(history.days)
    cols = []
    for k in range(1, horizon + 1):
        source = t - 1 + k - lag * ((k + lag - 1) // lag)
        cols.append(history.units[:, source] if source >= 0 else np.full(len(history.units), np.nan))
    return np.stack(cols, axis=1)


def forecast_scores(actual: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    """(mean absolute daily error, mean absolute error of the 28-day total) over listings with a prediction."""
    keep = ~np.isnan(predicted).any(axis=1)
    daily = float(np.abs(actual[keep] - predicted[keep]).mean())
    total = float(np.abs(actual[keep].sum(axis=1) - predicted[keep].sum(axis=1)).mean())
    return daily, total


def interval_mass(fc, p10: np.ndarray, p90: np.ndarray) -> float:
    """Mean probability the forecast itself gives to [p10, p90] on the held-out days (what coverage should be)."""
    mean = fc.mean[:, :HOLD_OUT]
    r = 1.0 / np.maximum(fc.alpha[:, None] + 1.0 / fc.shape[:, None], 1e-9)
    p = r / (r + np.maximum(mean, 1e-12))
    return float((stats.nbinom.cdf(p90, r, p) - stats.nbinom.cdf(p10 - 1, r, p)).mean())


def run(listings: int, days: int, seed: int) -> None:
    print(f"# bench/forecasts.py  listings={listings} days={days} seed={seed}  "
          f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC  cpus={os.cpu_count()}", flush=True)
    world = build_world(seed=seed, listing_count=listings, days=days, end_date=default_end_date())
    with scratch_database("lh_bench_forecasts") as url, psycopg.connect(url, autocommit=True) as conn:
        t0 = time.perf_counter()
        ids, held = load_world(conn, world)
        print(f"loaded {len(ids)} listings, {world.start_date}..{held[0] - dt.timedelta(days=1)} "
              f"({HOLD_OUT} days held out) in {time.perf_counter() - t0:.1f} s", flush=True)

        # As the forecasts asset runs it: load, fit, forecast 90 days, store, reorder suggestions, days of cover.
        t0 = time.perf_counter()
        result = run_forecasts(conn)
        t_fc = time.perf_counter() - t0
        fc, history = result.forecast, result.forecast.history
        t0 = time.perf_counter()
        load_history(conn, days=730)
        t_load = time.perf_counter() - t0
        t0 = time.perf_counter()
        est = elasticities.estimate(history, fc.season, min_change_pct=3.0)
        t_el = time.perf_counter() - t0

    actual = held_out_units(world, history, held)
    truth = {x.sku: float(world.arrays["elasticity"][x.idx]) for x in world.listings}
    planted = np.array([truth[s] for s in history.skus])
    ok = est.status == "estimated"
    print()
    print(f"dataset                      {listings:,} listings x {days} days, seed {seed}; "
          f"{len(history.listing_ids):,} listings with sales history")
    print(f"time                         forecast run {t_fc:.1f} s ({result.forecast_rows:,} forecast rows, "
          f"{result.reorder_rows:,} reorder suggestions written; loading the history alone {t_load:.1f} s), "
          f"elasticities {t_el:.1f} s; peak RSS {peak_rss_mb():,.0f} MB")
    print(f"elasticity                   {ok.sum()} of {len(ok)} listings with enough price variation "
          f"({(est.status == 'not_enough_price_variation').sum()} without, "
          f"{(est.status == 'not_enough_sales').sum()} with too few sales)")
    if ok.sum():
        used, own, truth_ok = est.elasticity[ok], est.own[ok], planted[ok]
        pooled = np.full(ok.sum(), float(np.average(own, weights=1 / est.own_se[ok] ** 2)))
        mae = {name: float(np.abs(v - truth_ok).mean()) for name, v in
               (("used", used), ("own", own), ("pooled", pooled))}
        inside = float(((est.p10[ok] <= truth_ok) & (truth_ok <= est.p90[ok])).mean())
        corr = float(np.corrcoef(used, truth_ok)[0, 1]) if ok.sum() > 2 else float("nan")
        print(f"  mean abs error, shrunk     {mae['used']:>8.3f}   (planted elasticities range -3.0 .. -0.5)")
        print(f"  mean abs error, own only   {mae['own']:>8.3f}   ratio shrunk / own    {mae['used'] / mae['own']:.2f}")
        print(f"  mean abs error, one pooled {mae['pooled']:>8.3f}   ratio shrunk / pooled {mae['used'] / mae['pooled']:.2f}")
        print(f"  bias (estimate - planted)  {float((used - truth_ok).mean()):>+8.3f}   correlation {corr:.2f}")
        print(f"  80 % interval coverage     {inside:>8.2f}")
        busy = est.units_used[ok] >= np.quantile(est.units_used[ok], 0.75)
        print(f"  busiest quarter ({busy.sum()} listings, >= {int(est.units_used[ok][busy].min())} units): mean abs error "
              f"shrunk {float(np.abs(used - truth_ok)[busy].mean()):.3f}, own {float(np.abs(own - truth_ok)[busy].mean()):.3f}, "
              f"pooled {float(np.abs(pooled - truth_ok)[busy].mean()):.3f}")
    model = fc.mean[:, :HOLD_OUT]
    scores = {"model": forecast_scores(actual, model),
              "naive_week": forecast_scores(actual, seasonal_naive(history, HOLD_OUT, 7)),
              "naive_year": forecast_scores(actual, seasonal_naive(history, HOLD_OUT, 364))}
    p10, p90 = fc.quantiles(0.1)[:, :HOLD_OUT], fc.quantiles(0.9)[:, :HOLD_OUT]
    coverage = float(((p10 <= actual) & (actual <= p90)).mean())
    print(f"forecast, {HOLD_OUT} held-out days   daily MAE   28-day total MAE   (units per listing; "
          f"actual mean {actual.sum(axis=1).mean():.1f} units / 28 days)")
    for name, label in (("model", "pooled season x level"), ("naive_week", "seasonal naive (last week)"),
                        ("naive_year", "seasonal naive (52 weeks back)")):
        daily, total = scores[name]
        print(f"  {label:30} {daily:>8.3f}   {total:>10.2f}" + (
            "" if name == "model" else f"   ratio model / this: daily {scores['model'][0] / daily:.2f}, "
                                        f"total {scores['model'][1] / total:.2f}")
              if not np.isnan(daily) else f"  {label:30} not available (history shorter than the lag)")
    print(f"  p10-p90 coverage of days   {coverage:>8.2f}   (the forecast's own distribution puts "
          f"{interval_mass(fc, p10, p90):.2f} of its mass there: counts are discrete, so more than 0.80)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=200)
    parser.add_argument("--days", type=int, default=450)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    run(args.listings, args.days, args.seed)


if __name__ == "__main__":
    main()
