"""Benchmark (issue 6): attribution verdicts against the sandbox's planted truth, beside a naive 7-day comparison.

    .venv/bin/python bench/attribution.py                           # 200 listings x 450 days (the demo's size)
    .venv/bin/python bench/attribution.py --listings 1000 --days 450

The world's catalogue, content versions (dated on the day of each planted edit), daily sales and traffic and
observed price changes are loaded straight into the tables (bench/dbt_build.py's loaders, no HTTP); then
orchestration.attribution records the events and estimates them. Each event is matched to the planted change
(world.ground_truth()) by SKU, day and kind. Printed per outcome: for changes with no true effect on it, the share
of verdicts claiming one (target <= 10%) and the same share for the naive 7-day before/after comparison; for
changes with a true effect: share detected in the right direction, mean bias of the estimate, and how often the
true effect lies inside the 90% interval (target >= 80%).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import psycopg  # noqa: E402

from common import scratch_database  # noqa: E402
from dbt_build import load_catalogue, stream_days, utc  # noqa: E402
from orchestration.attribution import estimate, measure  # noqa: E402
from orchestration.attribution.panel import load_panel  # noqa: E402
from orchestration.sandbox import build_world  # noqa: E402
from orchestration.sandbox.world_events import NONE, PRICE  # noqa: E402

FIELD_TYPES = {"title": "title_update", "bullets": "bullet_update", "description": "description_update",
               "search_terms": "search_terms_update", "price": "price_change"}
NAIVE_DAYS = 7


def load_world(conn, world) -> dict[str, str]:
    ids = load_catalogue(conn, world)
    date_latest_versions(conn, world, ids)
    listing_ids = np.array([ids.get(x.sku, "") for x in world.listings], dtype=object)
    stream_days(conn, world, world.window(), listing_ids, None)
    conn.execute("ANALYZE")
    return ids


def date_latest_versions(conn, world, ids: dict[str, str]) -> int:
    """load_catalogue lets the catalog upsert write each listing's current content, stamped now(); a daily sync
    would have stamped it on the day of the listing's last content edit, so that day is put back."""
    ev = world.events
    content = (ev.ev_type != NONE) & (ev.ev_type != PRICE) & (ev.ev_day <= world.today.toordinal())
    rows = []
    for lst in world.listings:
        days = ev.ev_day[content[:, lst.idx], lst.idx]
        if lst.sku in ids and len(days):
            rows.append((utc(dt.date.fromordinal(int(days.max())), 9), ids[lst.sku]))
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany("""
            update catalog.listing_versions v set created_at = %s
            where v.listing_id = %s and v.change_reason like 'changed on Amazon%%'
              and v.version_number = (select max(version_number) from catalog.listing_versions x
                                      where x.listing_id = v.listing_id)""", rows)
    return len(rows)


def true_effects(change: dict) -> dict[str, float]:
    conv, sess = change["true_conversion_effect"], change["true_sessions_effect"]
    units = (1 + conv) * (1 + sess) - 1
    revenue = units
    if change["change_type"] == "price" and change["old_value"]:
        revenue = (1 + units) * float(change["new_value"]) / float(change["old_value"]) - 1
    return {"sessions": sess, "conversion": conv, "units": units, "revenue": revenue}


def naive_claims(panel, analysis) -> dict[str, bool]:
    """The naive read: 7 days after vs 7 days before, a 90% interval on the ratio of the two sums."""
    r, t0 = panel.row(analysis.change.listing_id), panel.day_index(analysis.change.day)
    before, after = np.arange(t0 - NAIVE_DAYS, t0), np.arange(t0, t0 + NAIVE_DAYS)
    if before[0] < 0 or after[-1] >= panel.day_count:
        return {}
    s_b, s_a = panel.sessions[r, before].sum(), panel.sessions[r, after].sum()
    u_b, u_a = panel.units[r, before].sum(), panel.units[r, after].sum()
    v_b, v_a = panel.revenue[r, before].sum(), panel.revenue[r, after].sum()
    out = {}
    z = 1.645
    for outcome, (a, b) in {"sessions": (s_a, s_b), "units": (u_a, u_b), "revenue": (u_a, u_b)}.items():
        if a > 0 and b > 0:
            ratio = np.log(a / b) if outcome != "revenue" else np.log((v_a / max(v_b, 1e-9)))
            out[outcome] = abs(ratio) > z * np.sqrt(1 / a + 1 / b)
    if u_a > 0 and u_b > 0 and s_a > 0 and s_b > 0:
        out["conversion"] = abs(np.log((u_a / s_a) / (u_b / s_b))) > z * np.sqrt(1 / u_a + 1 / u_b)
    return out


def score(world, panel, analyses, ids: dict[str, str], min_clean: int = 0) -> dict:
    """Per outcome: false-claim share on true nulls (ours and naive), detection, bias and coverage on true effects."""
    sku_of = {v: k for k, v in ids.items()}
    truth = {}
    for ch in world.ground_truth()["changes"]:
        for f in ch["fields_changed"]:
            truth[(ch["sku"], ch["date"], FIELD_TYPES.get(f, f))] = ch
    rows = {o: {"null": [], "naive_null": [], "effect": [], "naive_effect": [], "measured_null": []}
            for o in estimate.OUTCOMES}
    matched = 0
    for a in analyses:
        ch = truth.get((sku_of.get(a.change.listing_id), a.change.day.isoformat(), a.change.change_type))
        if ch is None:
            continue
        clean = min(ch["clean_days_before"] or 0, ch["clean_days_after"] or 0)
        if clean < min_clean:
            continue
        matched += 1
        effects, naive = true_effects(ch), naive_claims(panel, a)
        for outcome, e in a.estimates.items():
            true = effects[outcome]
            claimed = e.verdict != "inconclusive"
            if abs(true) < 1e-9:
                rows[outcome]["null"].append(claimed)
                if e.effect is not None:
                    rows[outcome]["measured_null"].append(claimed)
                if outcome in naive:
                    rows[outcome]["naive_null"].append(bool(naive[outcome]))
                continue
            if outcome in naive:
                rows[outcome]["naive_effect"].append(bool(naive[outcome]))
            if e.effect is not None:
                right = (e.verdict == "improved") == (true > 0) and claimed
                inside = e.ci_low <= true <= e.ci_high
                rows[outcome]["effect"].append((right, e.effect - true, inside))
    out = {"matched": matched}
    for outcome, r in rows.items():
        eff = r["effect"]
        out[outcome] = {
            "null_n": len(r["null"]), "false_claims": float(np.mean(r["null"])) if r["null"] else None,
            "naive_false_claims": float(np.mean(r["naive_null"])) if r["naive_null"] else None,
            "measured_false_claims": float(np.mean(r["measured_null"])) if r["measured_null"] else None,
            "effect_n": len(eff), "detected": float(np.mean([x[0] for x in eff])) if eff else None,
            "naive_detected": float(np.mean(r["naive_effect"])) if r["naive_effect"] else None,
            "bias": float(np.mean([x[1] for x in eff])) if eff else None,
            "median_bias": float(np.median([x[1] for x in eff])) if eff else None,
            "coverage": float(np.mean([x[2] for x in eff])) if eff else None}
    return out


def run_world(url: str, world, charts: int = 0) -> dict:
    with psycopg.connect(url, autocommit=True) as conn:
        t0 = time.perf_counter()
        ids = load_world(conn, world)
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        measure.record_events(conn)
        changes, diffs = measure.load_changes(conn)
        panel = load_panel(conn)
        analyses = estimate.analyse_changes(panel, changes, keep_series=charts > 0)
        est_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        measure.write_analyses(conn, analyses, diffs, world.end_date)
        write_s = time.perf_counter() - t0
    return {"ids": ids, "panel": panel, "analyses": analyses, "changes": len(changes), "load_s": load_s,
            "estimate_s": est_s, "write_s": write_s}


def report(label: str, world, result: dict) -> None:
    all_ = score(world, result["panel"], result["analyses"], result["ids"])
    clean = score(world, result["panel"], result["analyses"], result["ids"], min_clean=estimate.MIN_DAYS + 2)
    verdicts = {}
    for a in result["analyses"]:
        verdicts[a.primary.verdict] = verdicts.get(a.primary.verdict, 0) + 1
    print(f"\n{label}: {result['changes']} events ({all_['matched']} matched to planted changes, {clean['matched']} "
          f"with >= {estimate.MIN_DAYS + 2} clean days each side); estimated in {result['estimate_s']:.1f} s "
          f"({1000 * result['estimate_s'] / max(result['changes'], 1):.0f} ms/event), written in "
          f"{result['write_s']:.1f} s; units verdicts {verdicts}")
    for name, s in (("all matched", all_), ("clean", clean)):
        print(f"  {name}")
        print(f"    {'outcome':<11} {'no-effect n':>11} {'claims':>7} {'of measured':>11} {'naive 7-day':>11}   "
              f"{'effect n':>8} {'detected':>8} {'naive':>6} {'bias mean':>9} {'median':>7} {'in 90% CI':>9}")
        for outcome in estimate.OUTCOMES:
            o = s[outcome]

            def pct(x):
                return "   -" if x is None else f"{100 * x:5.1f}%"
            print(f"    {outcome:<11} {o['null_n']:>11} {pct(o['false_claims']):>7} {pct(o['measured_false_claims']):>11} "
                  f"{pct(o['naive_false_claims']):>11}   {o['effect_n']:>8} {pct(o['detected']):>8} "
                  f"{pct(o['naive_detected']):>6} {pct(o['bias']):>9} {pct(o['median_bias']):>7} {pct(o['coverage']):>9}")
    print("  claims: share of verdicts claiming an effect where the planted truth has none (target <= 10%; 'of measured'"
          " leaves out changes too small or short to estimate); naive 7-day: the same share for a 7-day before/after"
          " comparison with a 90% Poisson interval; detected: right-direction verdicts where there is an effect; bias:"
          " estimate minus truth, relative effect in points; in 90% CI: truth inside the interval (target >= 80%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=200)
    parser.add_argument("--days", type=int, default=450)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    print(f"# bench/attribution.py  listings={args.listings} days={args.days} seed={args.seed}  "
          f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC")
    world = build_world(seed=args.seed, listing_count=args.listings, days=args.days)
    with scratch_database("lh_bench_attr") as url:
        result = run_world(url, world)
        print(f"loaded in {result['load_s']:.1f} s")
        report(f"{args.listings} listings x {args.days} days", world, result)


if __name__ == "__main__":
    main()
