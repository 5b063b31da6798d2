"""Benchmark (issue 4): Keepa history of N competitor ASINs through build_client + ingest_products vs a bare COPY.

    .venv/bin/python bench/ingest_keepa.py                          # 30,000 ASINs x 730 days
    .venv/bin/python bench/ingest_keepa.py --asins 300 --days 730   # smoke / a measured fraction

The sandbox (in this process) is sized so it has at least N rival ASINs, and its Keepa token bucket
and system.settings' budget are set to 10^8 tokens (refill 10^8/min), so the budget never throttles
the run: what is measured is fetching, parsing and storing. The client keeps its production batch size
(10 ASINs per /product call). Sandbox payload generation is timed separately and subtracted.
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

import psycopg  # noqa: E402
from psycopg.types.json import Jsonb  # noqa: E402

from common import Stopwatch, bare_copy, peak_rss_mb, scratch_database, table_columns  # noqa: E402
from orchestration.keepa import ingest  # noqa: E402
from orchestration.keepa.client import build_client  # noqa: E402
from orchestration.sandbox import SandboxServer, build_world, http_util, keepa_routes  # noqa: E402

HISTORY = "competitors.price_history"
UNLIMITED = 100_000_000  # system.keepa_token_budget.tokens is NUMERIC(12,3): < 10^9
RIVALS_PER_LISTING = 2.0  # the sandbox makes 1-4 rivals per buyable listing (~2.2 per listing at seed 42)


def instrument(watch: Stopwatch, client) -> None:
    """Time the stages by wrapping the functions called by module-global name (nothing edited)."""
    keepa_routes._product = watch.wrap("sandbox: generate product history", keepa_routes._product)
    keepa_routes.json_response = watch.wrap("sandbox: encode JSON response", http_util.json_response)
    client.product_payload = watch.wrap("client.product_payload (HTTP + JSON decode + sandbox)", client.product_payload)
    ingest.parse_product = watch.wrap("store_batch: parse_product", ingest.parse_product)
    ingest.store_batch = watch.wrap("store_batch (raw JSON + products + COPY stage + INSERT)", ingest.store_batch)


def run(asins: int, days: int, seed: int) -> None:
    print(f"# bench/ingest_keepa.py  asins={asins} days={days} seed={seed}  "
          f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC  cpus={os.cpu_count()}", flush=True)
    t0 = time.perf_counter()
    listings = max(50, int(asins / RIVALS_PER_LISTING) + 50)
    world = build_world(seed=seed, listing_count=listings, days=days)
    faults = {"keepa_tokens_per_minute": UNLIMITED, "keepa_token_bucket_max": UNLIMITED}
    watch = Stopwatch()
    with scratch_database("lh_bench_keepa") as url, SandboxServer(world, faults=faults) as server, \
            psycopg.connect(url, autocommit=True) as conn:
        rivals = keepa_routes.state(server).competitors.rivals
        if len(rivals) < asins:
            raise SystemExit(f"the sandbox has only {len(rivals)} rivals for {listings} listings; raise RIVALS_PER_LISTING")
        chosen = [r.asin for r in rivals[:asins]]
        print(f"sandbox: {listings} listings, {len(rivals)} rivals; {world.start_date}..{world.end_date}; "
              f"built in {time.perf_counter() - t0:.1f} s", flush=True)
        for key in ("sync.keepa.tokens_per_minute", "sync.keepa.token_bucket_max"):
            conn.execute("UPDATE system.settings SET value = %s WHERE key = %s", (Jsonb(UNLIMITED), key))
        client = build_client(server.base_url, server.credentials.keepa_key)
        instrument(watch, client)

        start = time.perf_counter()
        summary = ingest.ingest_products(conn, client, chosen, run_id="bench")
        total = time.perf_counter() - start
        rss_ingest = peak_rss_mb()

        conn.autocommit = False
        columns = [c for c in table_columns(conn, HISTORY)]
        copy_rows, copy_seconds = bare_copy(conn, HISTORY, columns, order_by="competitor_id, time")
        conn.autocommit = True

    s = watch.seconds
    rows = summary["history_rows"]
    amazon = s["sandbox: generate product history"] + s["sandbox: encode JSON response"]
    ours = total - amazon
    print()
    print(f"ASINs ingested               {summary['products']:>12,}   ({summary['batches']} batches, "
          f"{summary['quarantined']} quarantined, waited {summary['waited_seconds']:.1f} s for tokens)")
    print(f"history rows ingested        {rows:>12,}   ({rows / max(1, summary['products']):,.0f} per ASIN)")
    print(f"ingestion wall time          {total:>12.1f} s")
    print("split of that time:")
    fetch = "client.product_payload (HTTP + JSON decode + sandbox)"
    store = "store_batch (raw JSON + products + COPY stage + INSERT)"
    for name in (fetch, "sandbox: generate product history", "sandbox: encode JSON response", store,
                 "store_batch: parse_product"):
        indent = "    " if name.startswith(("sandbox", "store_batch:")) else "  "
        print(f"{indent}{name:<56} {s[name]:>9.1f} s  {100 * s[name] / total:5.1f} %")
    rest_fetch = s[fetch] - amazon
    rest_store = s[store] - s["store_batch: parse_product"]
    other = total - s[fetch] - s[store]
    print(f"    {'fetch: HTTP + client + JSON decode (the rest)':<56} {rest_fetch:>9.1f} s  {100 * rest_fetch / total:5.1f} %")
    print(f"    {'store: database work (the rest)':<56} {rest_store:>9.1f} s  {100 * rest_store / total:5.1f} %")
    print(f"  {'budget take/reconcile and the rest':<56} {other:>9.1f} s  {100 * other / total:5.1f} %")
    print(f"ingestion excl. Keepa's part   {ours:>10.1f} s   (sandbox generation + encoding removed)")
    print()
    print(f"ingestion rate (all)         {summary['products'] / total:>12,.1f} ASINs/s  {rows / total:>10,.0f} rows/s")
    print(f"ingestion rate (excl. Keepa) {summary['products'] / ours:>12,.1f} ASINs/s  {rows / ours:>10,.0f} rows/s")
    print(f"bare COPY baseline           {copy_rows / copy_seconds:>33,.0f} rows/s   ({copy_rows:,} rows in "
          f"{copy_seconds:.2f} s, COPY FROM STDIN into LIKE {HISTORY} INCLUDING ALL: no triggers, no FK)")
    print(f"ratio ingestion / bare COPY  {rows / total / (copy_rows / copy_seconds):>12.3f}      (all)")
    print(f"ratio ingestion / bare COPY  {rows / ours / (copy_rows / copy_seconds):>12.3f}      (excl. Keepa)")
    print(f"peak RSS                     {rss_ingest:>12,.0f} MB  (end of run {peak_rss_mb():,.0f} MB; "
          "sandbox in the same process)   target < 2048 MB")
    if asins < 30_000:
        per_asin = total / max(1, summary["products"])
        print(f"extrapolated to 30,000 ASINs {30_000 * per_asin / 60:>12.0f} min at this run's per-ASIN time "
              f"({30_000 * ours / max(1, summary['products']) / 60:.0f} min excl. Keepa) - an estimate, not a measurement")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asins", type=int, default=30_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    run(args.asins, args.days, args.seed)


if __name__ == "__main__":
    main()
