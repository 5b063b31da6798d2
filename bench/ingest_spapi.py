"""Benchmark (issue 3): daily GET_SALES_AND_TRAFFIC_REPORT ingestion vs a bare COPY of the same rows, same run.

    .venv/bin/python bench/ingest_spapi.py                          # 10,000 listings x 730 days
    .venv/bin/python bench/ingest_spapi.py --listings 1000 --days 60  # smoke

As a backfill of the spapi_sales_and_traffic and performance_metrics assets runs (one run for the range):
per day, fetch_report through the real python-amazon-sp-api client against the in-process sandbox, then
load_document (parse + COPY into raw) and supersede_older_documents in one transaction; then
upsert_sales_and_traffic once for the whole range (set-based, a month per statement). The catalogue
(merchant listings report + upsert_listings) is loaded first, untimed. The sandbox runs in this process,
so its report generation is timed separately (wrapped, not changed) and subtracted from the ingestion figure.
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

from common import Stopwatch, bare_copy, peak_rss_mb, scratch_database, table_columns  # noqa: E402
from orchestration.sandbox import SandboxServer, build_world  # noqa: E402
from orchestration.spapi import loading, report_requests  # noqa: E402
from orchestration.spapi.client import SpApiConfig, reports_client  # noqa: E402
from orchestration.spapi.upserts import upsert_listings, upsert_sales_and_traffic  # noqa: E402

REPORT = "GET_SALES_AND_TRAFFIC_REPORT"
RAW = "raw.spapi_sales_and_traffic"
POLL_SECONDS = 0.01  # what pipeline.sandbox_environment sets (LISTING_HELPER_SPAPI_REPORT_POLL_MS=10)
UPSERT = "upsert_sales_and_traffic (the range, a month per statement)"


def day_window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=dt.timezone.utc)
    return start, start + dt.timedelta(days=1) - dt.timedelta(seconds=1)


def load_catalogue(conn, api) -> int:
    fetched = report_requests.fetch_report(conn, api, report_type="GET_MERCHANT_LISTINGS_ALL_DATA",
                                           data_start_time=None, data_end_time=None, poll_interval=POLL_SECONDS)
    with conn.transaction():
        loading.load_document(conn, report_type="GET_MERCHANT_LISTINGS_ALL_DATA",
                              report_document_id=fetched.report_document_id)
    upsert_listings(conn, fetched.report_document_id)
    return conn.execute("SELECT count(*) FROM catalog.listings").fetchone()[0]


def instrument(watch: Stopwatch, server: SandboxServer) -> None:
    """Time the stages by wrapping the functions the pipeline calls by module-global name (nothing edited)."""
    store = server.reports
    store._render = watch.wrap("sandbox: generate document", store._render)
    store._store_document = watch.wrap("sandbox: encode + gzip document", store._store_document)
    report_requests.store_document = watch.wrap("fetch: INSERT document bytes", report_requests.store_document)
    loading.parse_document = watch.wrap("load: parse (gunzip + JSON -> polars)", loading.parse_document)
    loading.copy_frame = watch.wrap("load: COPY into raw", loading.copy_frame)


def run(listings: int, days: int, seed: int, stop_after: float | None = None) -> None:
    print(f"# bench/ingest_spapi.py  listings={listings} days={days} seed={seed}  "
          f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC  cpus={os.cpu_count()}", flush=True)
    t0 = time.perf_counter()
    world = build_world(seed=seed, listing_count=listings, days=days)
    print(f"world built in {time.perf_counter() - t0:.1f} s; {world.start_date}..{world.end_date}", flush=True)
    watch = Stopwatch()
    with scratch_database("lh_bench_spapi") as url, SandboxServer(world) as server, \
            psycopg.connect(url, autocommit=True) as conn:
        report_requests.commit_without_waiting_for_disk(conn)  # as fetch_and_load does for each report
        c = server.credentials
        api = reports_client(SpApiConfig(lwa_app_id=c.lwa_app_id, lwa_client_secret=c.lwa_client_secret,
                                         refresh_token=c.refresh_token, seller_id=c.seller_id,
                                         endpoint=server.base_url, lwa_token_url=server.lwa_token_url))
        t0 = time.perf_counter()
        catalogue = load_catalogue(conn, api)
        print(f"catalogue: {catalogue} listings loaded in {time.perf_counter() - t0:.1f} s (untimed)", flush=True)
        instrument(watch, server)
        sleep = watch.wrap("fetch: poll waits (Amazon's time)", time.sleep)

        rss_before = peak_rss_mb()
        start = time.perf_counter()
        rows = 0
        done: list[dt.date] = []
        for k, day in enumerate(world.window()):
            if stop_after and time.perf_counter() - start > stop_after:
                print(f"  --stop-after {stop_after:.0f} s reached: stopping after {len(done)} of {days} days; "
                      "the upsert covers those", flush=True)
                break
            first, last = day_window(day)
            with watch.stage("fetch_report (HTTP + sandbox + ledger)"):
                fetched = report_requests.fetch_report(
                    conn, api, report_type=REPORT, data_start_time=first, data_end_time=last,
                    report_options={"dateGranularity": "DAY", "asinGranularity": "SKU"}, poll_interval=POLL_SECONDS,
                    sleep=sleep)
                # Amazon keeps documents; an in-process sandbox would hold 730 days of them in our RSS.
                server.reports.documents.pop(fetched.report_document_id, None)
            with watch.stage("load_document + supersede (one transaction)"):
                with conn.transaction():
                    result = loading.load_document(conn, report_type=REPORT, report_document_id=fetched.report_document_id,
                                                   report_date=day)
                    loading.supersede_older_documents(conn, report_type=REPORT,
                                                      report_document_id=fetched.report_document_id)
            rows += result.rows_loaded
            done.append(day)
            if (k + 1) % max(1, days // 10) == 0:
                print(f"  day {k + 1}/{days}: {rows} raw rows, {time.perf_counter() - start:.1f} s, "
                      f"peak RSS {peak_rss_mb():.0f} MB", flush=True)
        with watch.stage(UPSERT):
            upsert_sales_and_traffic(conn, done[0], done[-1])
        print(f"  upsert of {done[0]}..{done[-1]}: {watch.seconds[UPSERT]:.1f} s", flush=True)
        total = time.perf_counter() - start
        rss_ingest = peak_rss_mb()
        metrics = conn.execute("SELECT count(*) FROM analytics.performance_metrics").fetchone()[0]

        conn.autocommit = False
        copy_rows, copy_seconds = bare_copy(conn, RAW, table_columns(conn, RAW), order_by="report_document_id, line_number")
        conn.autocommit = True

    s = watch.seconds
    amazon = s["sandbox: generate document"] + s["sandbox: encode + gzip document"] + s["fetch: poll waits (Amazon's time)"]
    ours = total - amazon
    copy_rate = copy_rows / copy_seconds
    print()
    print(f"days ingested                {len(done):>12,} of {days}" + ("" if len(done) == days else "  (stopped early: a measured fraction)"))
    print(f"raw rows ingested            {rows:>12,}   ({rows / max(1, len(done)):,.0f} per day; "
          f"{metrics:,} rows in analytics.performance_metrics)")
    print(f"ingestion wall time          {total:>12.1f} s")
    print("split of that time:")
    split = ["fetch_report (HTTP + sandbox + ledger)", "sandbox: generate document", "sandbox: encode + gzip document",
             "fetch: poll waits (Amazon's time)", "fetch: INSERT document bytes",
             "load_document + supersede (one transaction)", "load: parse (gunzip + JSON -> polars)",
             "load: COPY into raw", UPSERT]
    s["fetch: HTTP + client + ledger (the rest)"] = (s["fetch_report (HTTP + sandbox + ledger)"] - amazon
                                                      - s["fetch: INSERT document bytes"])
    split.insert(5, "fetch: HTTP + client + ledger (the rest)")
    for name in split:
        indent = "    " if name.startswith(("sandbox", "fetch:", "load:")) else "  "
        print(f"{indent}{name:<46} {s[name]:>9.1f} s  {100 * s[name] / total:5.1f} %")
    print(f"ingestion excl. Amazon's part  {ours:>10.1f} s   (sandbox generation + poll waits removed)")
    print()
    print(f"ingestion rate (all)         {rows / total:>12,.0f} rows/s")
    print(f"ingestion rate (excl. Amazon){rows / ours:>12,.0f} rows/s")
    print(f"bare COPY baseline           {copy_rate:>12,.0f} rows/s   ({copy_rows:,} rows in {copy_seconds:.2f} s, "
          "COPY FROM STDIN into LIKE raw.spapi_sales_and_traffic INCLUDING ALL)")
    print(f"ratio ingestion / bare COPY  {rows / total / copy_rate:>12.3f}      (all)")
    print(f"ratio ingestion / bare COPY  {rows / ours / copy_rate:>12.3f}      (excl. Amazon)   target >= 0.5")
    print(f"peak RSS                     {rss_ingest:>12,.0f} MB  (after catalogue {rss_before:,.0f} MB; "
          f"end of run {peak_rss_mb():,.0f} MB; sandbox in the same process)   target < 2048 MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--stop-after", type=float, default=None,
                        help="stop the day loop after this many seconds and report the days done (a measured fraction)")
    args = parser.parse_args()
    run(args.listings, args.days, args.seed, args.stop_after)


if __name__ == "__main__":
    main()
