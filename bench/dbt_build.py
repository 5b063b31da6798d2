"""Benchmark (issue 5): full `dbt build` and one incremental day on the sandbox dataset, printed together.

    .venv/bin/python bench/dbt_build.py                            # 10,000 listings x 730 days
    .venv/bin/python bench/dbt_build.py --listings 500 --days 60   # smoke

The dataset is the sandbox world (orchestration/sandbox), loaded straight into the operational tables the
dbt sources read, without HTTP and without replaying 730 daily ingestions (that takes over an hour):
single-snapshot tables go through the real report/payload upserts (merchant listings, suppressed, fees,
inventory, catalog items, supply spreadsheets, weekly search terms); the dated series (daily metrics, price
changes, Keepa history of rivals and of our own ASINs) are COPYed day by day or product by product from the
world's own generators and Keepa payloads, parsed by the ingestion's parser. Then, timed: `dbt build
--full-refresh`; then one more day is appended (the world advances a day) and `dbt build --vars
'{min_date: D, max_date: D}'` runs as a daily partition. Printed: both times, their ratio (target < 0.05)
and the peak database size.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from email.message import Message
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402
import psycopg  # noqa: E402
from psycopg.types.json import Jsonb  # noqa: E402

from common import peak_rss_mb, scratch_database  # noqa: E402
from orchestration.keepa.ingest import sql as keepa_sql  # noqa: E402
from orchestration.keepa.parsing import HISTORY_COLUMNS, parse_product  # noqa: E402
from orchestration.sandbox import Faults, build_world  # noqa: E402
from orchestration.sandbox import keepa_routes, reports, spapi_pricing, spapi_routes  # noqa: E402
from orchestration.sandbox.admin_routes import INVENTORY_FILES  # noqa: E402
from orchestration.sandbox.http_util import Request  # noqa: E402
from orchestration.sandbox.world import default_end_date  # noqa: E402
from orchestration.sandbox.world_catalog_data import CATEGORIES  # noqa: E402
from orchestration.sandbox.world_competitors import Competitors  # noqa: E402
from orchestration.sandbox.world_events import NONE, PRICE  # noqa: E402
from orchestration.spapi import loading  # noqa: E402
from orchestration.spapi.catalog_payload import read_catalog_item  # noqa: E402
from orchestration.spapi.copy import copy_frame  # noqa: E402
from orchestration.spapi.json_reports import SEARCH_TERMS  # noqa: E402
from orchestration.spapi.upserts import (  # noqa: E402
    import_supply_files, upsert_catalog_content, upsert_fee_estimates, upsert_inventory, upsert_keywords,
    upsert_listings, upsert_suppressed)

MARKETPLACE = "A1F83G8C2ARO7P"
UPSERT_PRODUCT = keepa_sql("upsert_product.sql")
CATEGORY_PAGE, PRICE_BAND = 50, (0.5, 2.0)  # as orchestration/keepa/discovery.py
DAYS_PER_COPY = 30  # metrics/price rows are sent in blocks of this many days (memory stays bounded)
PRODUCTS_PER_COPY = 200


def utc(day: dt.date, hour: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), dt.timezone.utc)


class SizeProbe(threading.Thread):
    """Polls pg_database_size every `every` seconds on its own connection; `peak` is the largest seen.

    A guard for a shared machine: while dbt runs, when the disk under the server's data directory (temporary
    files of a big sort or hash join land there) has less than `min_free_gb` left, dbt is stopped and its
    queries cancelled, and `aborted` says why."""

    def __init__(self, url: str, every: float = 1.0, min_free_gb: float = 20.0):
        super().__init__(daemon=True)
        self.url, self.every, self.peak, self._halt = url, every, 0, threading.Event()
        self.min_free, self.data_dir, self.aborted = min_free_gb * 2**30, None, None
        self.process: subprocess.Popen | None = None  # the dbt run to stop when the disk runs low
        self.spared: set[int] = set()  # backends not to cancel (the bench's own connection)

    def sample(self, conn) -> int:
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        self.peak = max(self.peak, size)
        return size

    def guard(self, conn) -> None:
        if self.aborted or self.process is None or not self.data_dir or not os.path.isdir(self.data_dir):
            return  # only while dbt runs (the load is bounded); a remote server: nothing to watch from here
        free = shutil.disk_usage(self.data_dir).free
        if free < self.min_free:
            self.aborted = (f"stopped: {free / 2**30:.1f} GB left on the database disk "
                            f"(guard {self.min_free / 2**30:.0f} GB)")
            if self.process is not None:
                self.process.terminate()
            conn.execute("SELECT pg_cancel_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> ALL(%s)",
                         (list(self.spared),))

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            try:
                self.data_dir = conn.execute("SHOW data_directory").fetchone()[0]
            except psycopg.Error:  # not a superuser: no guard
                pass
            while not self._halt.wait(self.every):
                try:
                    self.sample(conn)
                    self.guard(conn)
                except psycopg.Error:  # the scratch database is being dropped after a failure
                    return

    def stop(self) -> None:
        self._halt.set()
        self.join()
        with psycopg.connect(self.url, autocommit=True) as conn:
            self.sample(conn)


# ----- snapshot tables through the ingestion's own upserts ------------------------------------------------
def load_report(conn, report_type: str, text: str, tag: str, report_date: dt.date | None = None) -> str:
    """Store a sandbox-rendered document as the ingestion does and parse it into its raw table."""
    doc_id = f"bench-{tag}"
    with conn.transaction():
        loading.store_document(conn, report_document_id=doc_id, report_type=report_type, content=text.encode("utf-8"),
                               compression=None, content_type="text/plain; charset=utf-8")
        loading.load_document(conn, report_type=report_type, report_document_id=doc_id, report_date=report_date)
    return doc_id


def copy_rows(conn, table: str, columns: list[str], rows) -> int:
    n = 0
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def api_rows(conn, operation: str, keyed_payloads) -> int:
    """getCatalogItem / getListingsItem / getCompetitivePricing answers as raw.api_responses rows."""
    return copy_rows(conn, "raw.api_responses", ["source", "operation", "request_key", "http_status", "payload"],
                     (("sp_api", operation, key, 200, Jsonb(payload)) for key, payload in keyed_payloads))


def competitive_pricing_payloads(world, asins: list[str]):
    """The sandbox's getCompetitivePricing handler, called in-process 20 ASINs at a time."""
    server = SimpleNamespace(world=world, credentials=SimpleNamespace(seller_id=world.seller_id))
    for k in range(0, len(asins), 20):
        batch = asins[k:k + 20]
        req = Request("GET", "/products/pricing/v0/competitivePrice",
                      {"ItemType": ["Asin"], "Asins": [",".join(batch)], "MarketplaceId": [MARKETPLACE]},
                      Message(), b"")
        for item in json.loads(spapi_pricing.competitive_pricing(server, req).body)["payload"]:
            if item.get("status") == "Success":
                yield item["ASIN"], item


def content_fields(world, lst, day: dt.date) -> tuple:
    """The listing's content on a day, through the Catalog Items payload and the ingestion's parser."""
    payload = {"attributes": spapi_routes.attributes(world, lst, world.content_on(lst.idx, day))}
    c = read_catalog_item(payload, lst.asin, MARKETPLACE)
    return c.title, c.bullet_points, c.description, c.search_terms


def load_versions_before_today(conn, world, ids: dict[str, str]) -> int:
    """Versions of every listing's content at the window start and after each planted content edit; the
    current content is then versioned by upsert_catalog_content as the latest one."""
    ev, start, end = world.events, world.start_date.toordinal(), world.end_date.toordinal()
    content_edit = (ev.ev_type != NONE) & (ev.ev_type != PRICE) & (ev.ev_day > start) & (ev.ev_day <= end)

    def rows():
        for lst in world.listings:
            if lst.sku not in ids:
                continue
            first = max(world.start_date, lst.open_date)
            days = [first] + sorted({dt.date.fromordinal(int(d)) for d in ev.ev_day[content_edit[:, lst.idx], lst.idx]
                                     if int(d) > first.toordinal()})
            states, last = [], None
            for day in days:
                state = content_fields(world, lst, day)
                if state != last:
                    states.append((day, state))
                    last = state
            if states and states[-1][1] == content_fields(world, lst, world.today):
                states.pop()  # the current content: upsert_catalog_content writes it
            for number, (day, (title, bullets, description, terms)) in enumerate(states, 1):
                yield ids[lst.sku], number, title, bullets, description, terms, utc(day, 9)

    with conn.transaction():
        conn.execute("CREATE TEMP TABLE version_in (listing_id uuid, version_number int, title text, "
                     "bullet_points text[], description text, search_terms text[], created_at timestamptz) "
                     "ON COMMIT DROP")
        n = copy_rows(conn, "version_in", ["listing_id", "version_number", "title", "bullet_points", "description",
                                           "search_terms", "created_at"], rows())
        conn.execute("""
            INSERT INTO catalog.listing_versions (listing_id, version_number, title, bullet_points, description,
                                                  search_terms, content_hash, change_type, change_source, change_reason,
                                                  created_at)
            SELECT listing_id, version_number, title, bullet_points, description, search_terms,
                   encode(sha256(convert_to(jsonb_build_array(title, bullet_points, description, search_terms)::text,
                                            'UTF8')), 'hex'),
                   'sync', 'sp_api_sync', 'bench: content on ' || created_at::date, created_at
            FROM version_in""")
    return n


def load_catalogue(conn, world) -> dict[str, str]:
    faults = Faults()
    upsert_listings(conn, load_report(conn, "GET_MERCHANT_LISTINGS_ALL_DATA", reports.merchant_listings(world, faults),
                                      "listings"))
    ids = {sku: str(i) for sku, i in conn.execute("SELECT sku, id FROM catalog.listings").fetchall()}
    upsert_suppressed(conn, load_report(conn, "GET_MERCHANTS_LISTINGS_FYP_REPORT",
                                        reports.suppressed_listings(world, faults), "suppressed"))
    upsert_fee_estimates(conn, load_report(conn, "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA", reports.fba_fees(world, faults),
                                           "fees"))
    upsert_inventory(conn, load_report(conn, "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
                                       reports.fba_inventory(world, faults), "inventory"))
    load_versions_before_today(conn, world, ids)
    asins = sorted({x.asin for x in world.listings if x.sku in ids})
    included = {"attributes", "classifications", "images", "relationships", "salesRanks", "summaries", "productTypes"}
    with conn.transaction():
        api_rows(conn, "getCatalogItem", ((a, spapi_routes.catalog_item(world, a, included)) for a in asins))
    upsert_catalog_content(conn)
    with conn.transaction():
        api_rows(conn, "getListingsItem", ((x.sku, spapi_routes.listings_item(world, x, {"summaries", "issues"}))
                                           for x in world.listings if x.sku in ids))
        buyable = sorted({x.asin for x in world.listings if x.sku in ids and x.buyable})
        api_rows(conn, "getCompetitivePricing", competitive_pricing_payloads(world, buyable))
    return ids


def load_supply(conn, world, bom_lines_per_file: int = 10_000) -> int:
    """The four supply spreadsheets through import_supply_files. The bill of materials goes in files of whole
    listings' BOMs (a file is each named listing's whole BOM, so this equals one import): import_supply_files
    fails on a BOM file past ~16,000 lines (polars parallel filter on a literal predicate), so one file of
    30,000 lines, as at 10,000 listings, cannot load."""
    supply = world.supply()
    by_listing: dict[str, list] = {}
    for row in supply["bill_of_materials"]:
        by_listing.setdefault(row["listing_sku"], []).append(row)
    chunks, current = [], []
    for rows in by_listing.values():
        if current and len(current) + len(rows) > bom_lines_per_file:
            chunks.append(current)
            current = []
        current.extend(rows)
    chunks.append(current)
    lines = 0
    for k, bom in enumerate(chunks):
        with tempfile.TemporaryDirectory() as folder:
            files = {name: supply[name.removesuffix(".csv")] for name in INVENTORY_FILES} if k == 0 else {}
            files["bill_of_materials.csv"] = bom
            for name, rows in files.items():
                with open(Path(folder) / name, "w", newline="", encoding="utf-8") as f:
                    writer = csv.DictWriter(f, fieldnames=INVENTORY_FILES[name])
                    writer.writeheader()
                    writer.writerows(rows)
            lines += import_supply_files(conn, Path(folder)).get("bom_lines_inserted", 0)
    return lines


def load_search_terms(conn, world) -> int:
    """Every complete Sunday-Saturday week of the window, as the weekly Brand Analytics report loads."""
    first = world.start_date + dt.timedelta(days=(6 - world.start_date.weekday()) % 7)
    weeks = 0
    while first + dt.timedelta(days=6) <= world.end_date:
        spec = reports.ReportSpec(SEARCH_TERMS, data_start=utc(first), options={"reportPeriod": "WEEK"})
        upsert_keywords(conn, load_report(conn, SEARCH_TERMS, reports.search_terms(world, spec), f"terms-{first}"))
        first += dt.timedelta(days=7)
        weeks += 1
    return weeks


# ----- dated series, streamed ------------------------------------------------------------------------------
def metrics_frame(world, day: dt.date, listing_ids: np.ndarray) -> pl.DataFrame:
    """One day of GET_SALES_AND_TRAFFIC_REPORT at SKU granularity, as traffic.sql stores it."""
    t = world.day(day)
    keep = (listing_ids != "") & ((t.sessions > 0) | (t.units > 0))
    pv, sessions, units = t.page_views[keep], t.sessions[keep], t.units[keep]
    all_pv = max(int(t.page_views.sum()), 1)
    return pl.DataFrame({
        "time": [utc(day)] * int(keep.sum()), "listing_id": listing_ids[keep], "sessions": sessions, "page_views": pv,
        "page_views_pct": np.round(np.round(100.0 * pv / all_pv, 2) / 100, 4), "units_ordered": units,
        "unit_session_pct": np.round(np.round(np.where(sessions > 0, 100.0 * units / np.maximum(sessions, 1), 0.0), 2)
                                     / 100, 4),
        "ordered_product_sales": np.round(t.revenue[keep], 2), "currency": ["GBP"] * int(keep.sum()),
        "buy_box_pct": np.where(pv > 0, np.round(t.buybox_pct[keep], 2), 0.0), "report_date": [day] * int(keep.sum()),
    }, schema_overrides={"time": pl.Datetime("us", "UTC"), "listing_id": pl.String, "sessions": pl.Int64,
                         "page_views": pl.Int64, "units_ordered": pl.Int64, "page_views_pct": pl.Float64,
                         "unit_session_pct": pl.Float64, "ordered_product_sales": pl.Float64,
                         "buy_box_pct": pl.Float64, "report_date": pl.Date, "currency": pl.String})


def price_change_frame(day: dt.date, listing_ids: np.ndarray, today: np.ndarray, before: np.ndarray | None,
                       live: np.ndarray) -> pl.DataFrame:
    """A pricing.price_history row where the price differs from the day before (first day: every live listing)."""
    changed = live & ~np.isnan(today) & (listing_ids != "")
    if before is not None:
        changed &= np.isnan(before) | (today != before)
    n = int(changed.sum())
    return pl.DataFrame({"time": [utc(day, 6)] * n, "listing_id": listing_ids[changed], "price": today[changed],
                         "source": ["sp_api"] * n},
                        schema_overrides={"time": pl.Datetime("us", "UTC"), "listing_id": pl.String,
                                          "price": pl.Float64, "source": pl.String})


def stream_days(conn, world, days: list[dt.date], listing_ids: np.ndarray,
                before: np.ndarray | None) -> tuple[np.ndarray, int, int]:
    """COPY metrics and price changes for `days`; returns the price matrix (day x listing) and row counts."""
    for table in ("analytics.performance_metrics", "pricing.price_history"):
        conn.execute("SELECT system.ensure_partitions(%s, %s, %s)", (table, utc(days[0]), utc(days[-1])))
    prices = np.empty((len(days), len(listing_ids)))
    metric_rows = price_rows = 0
    for k in range(0, len(days), DAYS_PER_COPY):
        block = days[k:k + DAYS_PER_COPY]
        metrics, changes = [], []
        for j, day in enumerate(block):
            t = world.day(day)
            prices[k + j] = t.price
            metrics.append(metrics_frame(world, day, listing_ids))
            changes.append(price_change_frame(day, listing_ids, t.price, before, t.live))
            before = t.price
        with conn.transaction(), conn.cursor() as cur:
            metric_rows += copy_frame(cur, "analytics.performance_metrics", pl.concat(metrics))
            price_rows += copy_frame(cur, "pricing.price_history", pl.concat(changes))
    return prices, metric_rows, price_rows


class PriceBook:
    """world.price_on from the streamed price matrix: the world regenerates a whole day per uncached call."""

    def __init__(self, world, first: dt.date, prices: np.ndarray):
        self.world, self.first, self.prices = world, first.toordinal(), prices

    def price_on(self, idx: int, day: dt.date) -> float:
        k = day.toordinal() - self.first
        return float(self.prices[k, idx]) if 0 <= k < len(self.prices) else self.world.price_on(idx, day)


def discovered_rivals(comp: Competitors, world, ids: dict[str, str]) -> tuple[list[str], list[tuple]]:
    """Category discovery as orchestration/keepa/discovery.py does it against Keepa (best sellers and product
    finder per category node, linked to our listings of the node whose price band holds the rival)."""
    day = world.end_date
    comp.day_values = functools.lru_cache(maxsize=None)(comp.day_values)  # finder asks every rival, per node
    by_node: dict[int, list] = {}
    for x in world.listings:
        if x.sku in ids and x.buyable:
            by_node.setdefault(int(CATEGORIES[x.category]["node"]), []).append(x)
    asins, links = [], []
    for node, ours in sorted(by_node.items()):
        found = list(dict.fromkeys(comp.best_sellers(node, day)
                                   + comp.finder({"categories_include": [node], "perPage": CATEGORY_PAGE}, day)))
        for rank, asin in enumerate(found):
            v = comp.day_values(comp.by_asin[asin], day.toordinal())
            rival = v["new"] / 100 if v and v["new"] >= 0 else None
            for x in ours:
                price = world.current_price(x.idx)
                if rival is None or PRICE_BAND[0] * price <= rival <= PRICE_BAND[1] * price:
                    links.append((ids[x.sku], asin, "category", f"node {node}", max(10, 80 - rank)))
        asins.extend(found)
    comp.day_values = Competitors.day_values.__get__(comp)
    return sorted(set(asins)), links


def load_keepa(conn, comp: Competitors, book: PriceBook, asins: list[str], start: dt.date, end: dt.date,
               synced_at: dt.datetime) -> tuple[dict[str, str], int]:
    """Keepa payloads (sandbox) -> parse_product (ingestion) -> upsert_product.sql + COPY of the history."""
    conn.execute("SELECT system.ensure_partitions('competitors.price_history', %s, %s)", (utc(start), utc(end, 23)))
    product_ids, rows = {}, 0
    for k in range(0, len(asins), PRODUCTS_PER_COPY):
        with conn.transaction():
            history = []
            for asin in asins[k:k + PRODUCTS_PER_COPY]:
                if asin in comp.own:
                    payload = keepa_routes._own_product(comp, book, comp.own[asin], start, end, True, True)
                else:
                    payload = keepa_routes._product(comp, asin, start, end, True, True)
                parsed = parse_product(payload)
                pid = conn.execute(UPSERT_PRODUCT, {**parsed.product, "synced_at": synced_at}).fetchone()[0]
                product_ids[asin] = str(pid)
                history.extend([pid, *(r[c] for c in HISTORY_COLUMNS)] for r in parsed.history)
            rows += copy_rows(conn, "competitors.price_history", ["competitor_id", *HISTORY_COLUMNS], history)
    return product_ids, rows


def load_tracking(conn, links: list[tuple], product_ids: dict[str, str]) -> int:
    """Links COPYed with triggers off; tracked_for_listings (trigger-kept) is then set once, as the trigger would."""
    with conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        n = copy_rows(conn, "competitors.tracking", ["listing_id", "competitor_id", "reason", "reason_detail",
                                                     "relevance_score"],
                      ((lid, product_ids[a], reason, detail, score) for lid, a, reason, detail, score in links))
        conn.execute("""
            UPDATE competitors.products p
            SET tracked_for_listings = t.listings
            FROM (SELECT competitor_id, array_agg(listing_id ORDER BY listing_id) AS listings
                  FROM competitors.tracking WHERE status <> 'ignored' GROUP BY competitor_id) t
            WHERE p.id = t.competitor_id""")
    return n


# ----- dbt ----------------------------------------------------------------------------------------------------
def run_dbt(url: str, args: list[str], log: Path, target: Path, probe: SizeProbe) -> dict:
    """One `listing-helper dbt ...`: wall time, its PASS/ERROR line, summed node time per resource type and the
    slowest nodes. The bench's own target and log paths keep it away from the project's target/ (others run dbt
    meanwhile); `probe` may stop it when the disk runs low."""
    env = {**os.environ, "LISTING_HELPER_DATABASE_URL": url}
    cmd = [str(Path(sys.executable).with_name("listing-helper")), "dbt", *args,
           "--target-path", str(target), "--log-path", str(target / "logs")]
    (target / "run_results.json").unlink(missing_ok=True)
    start = time.perf_counter()
    with open(log, "w") as out:
        probe.process = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        probe.process.wait()
        probe.process = None
    seconds = time.perf_counter() - start
    done = [line for line in log.read_text().splitlines() if "Done. PASS=" in line]
    by_type: dict[str, float] = {}
    nodes: list[tuple[float, str]] = []
    results = target / "run_results.json"
    if results.exists():
        for r in json.loads(results.read_text())["results"]:
            parts = r["unique_id"].split(".")
            kind, name = parts[0], parts[2] if parts[0] == "test" else parts[-1]
            by_type[kind] = by_type.get(kind, 0.0) + float(r.get("execution_time") or 0.0)
            nodes.append((float(r.get("execution_time") or 0.0), name if kind != "test" else "test " + name[:50]))
    summary = done[-1].split("Done. ")[-1].strip() if done else (probe.aborted or "no summary (see the log)")
    return {"seconds": seconds, "summary": summary, "by_type": by_type, "slowest": sorted(nodes, reverse=True)[:5]}


def node_split(by_type: dict[str, float]) -> str:
    names = {"model": "models", "test": "data tests", "unit_test": "unit tests", "seed": "seeds",
             "snapshot": "snapshots"}
    return ", ".join(f"{names.get(k, k)} {v:.0f} s" for k, v in sorted(by_type.items(), key=lambda kv: -kv[1]))


def run(listings: int, days: int, seed: int, keep_log: Path, keep_database: bool = False,
        load_only: bool = False, exclude: list[str] | None = None, min_free_gb: float = 20.0) -> None:
    print(f"# bench/dbt_build.py  listings={listings} days={days} seed={seed}  "
          f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC  cpus={os.cpu_count()}", flush=True)
    t0 = time.perf_counter()
    # The world ends a day early: the incremental run appends the real last day after the full build.
    world = build_world(seed=seed, listing_count=listings, days=days,
                        end_date=default_end_date() - dt.timedelta(days=1))
    comp = Competitors(world.seed, world.listings, world.market, world.seller_id)
    print(f"world built in {time.perf_counter() - t0:.1f} s; {world.start_date}..{world.end_date}, "
          f"{len(comp.rivals)} rivals, {len(comp.own)} own ASINs", flush=True)
    with scratch_database("lh_bench_dbt", keep=keep_database or load_only) as url, \
            psycopg.connect(url, autocommit=True) as conn:
        probe = SizeProbe(url, min_free_gb=min_free_gb)
        probe.spared.add(conn.info.backend_pid)
        probe.start()
        t0 = time.perf_counter()
        ids = load_catalogue(conn, world)
        supply = load_supply(conn, world)
        weeks = load_search_terms(conn, world)
        print(f"catalogue: {len(ids)} listings, supply {supply} BOM lines, "
              f"{weeks} weeks of search terms in {time.perf_counter() - t0:.1f} s", flush=True)
        listing_ids = np.array([ids.get(x.sku, "") for x in world.listings], dtype=object)
        t0 = time.perf_counter()
        prices, metric_rows, price_rows = stream_days(conn, world, world.window(), listing_ids, None)
        print(f"daily series: {metric_rows:,} metric rows, {price_rows:,} price changes in "
              f"{time.perf_counter() - t0:.1f} s", flush=True)
        t0 = time.perf_counter()
        book = PriceBook(world, world.start_date, prices)
        rivals, links = discovered_rivals(comp, world, ids)
        own = sorted(a for a in comp.own if any(x.sku in ids for x in world.by_asin[a]))
        product_ids, history_rows = load_keepa(conn, comp, book, rivals + own, world.start_date, world.end_date,
                                               utc(world.today, 5))
        tracked = load_tracking(conn, links, product_ids)
        print(f"keepa: {len(rivals)} rivals + {len(own)} own ASINs, {history_rows:,} history rows, {tracked:,} "
              f"tracking links in {time.perf_counter() - t0:.1f} s", flush=True)
        conn.execute("VACUUM (ANALYZE)")  # as autovacuum would have by now; bulk-loaded tables have no statistics
        loaded_size = probe.sample(conn)
        print(f"loaded: database {loaded_size / 2**30:.2f} GB, peak RSS {peak_rss_mb():,.0f} MB", flush=True)
        if load_only:
            probe.stop()
            return

        target = Path(tempfile.mkdtemp(prefix="lh_bench_dbt_target_"))
        excluded = ["--exclude", *exclude] if exclude else []
        full = run_dbt(url, ["build", "--full-refresh", *excluded], keep_log.with_suffix(".full.log"), target, probe)
        full_size = probe.sample(conn)
        print(f"dbt build --full-refresh: {full['seconds']:.1f} s  ({full['summary']})", flush=True)
        day_run, window = None, None
        if not probe.aborted:
            # One more day, as the daily ingestion lands it: metrics, price changes, Keepa points, product state.
            day = world.advance_day(1)
            t0 = time.perf_counter()
            _, day_metrics, day_prices = stream_days(conn, world, [day], listing_ids, prices[-1])
            changed = [(float(world.price_on(x.idx, world.today)), ids[x.sku]) for x in world.listings
                       if x.sku in ids and x.buyable]
            with conn.transaction():
                conn.cursor().executemany("UPDATE pricing.current_prices SET price = %s, updated_at = now() "
                                          "WHERE listing_id = %s AND price IS DISTINCT FROM %s",
                                          [(p, lid, p) for p, lid in changed])
            book = PriceBook(world, day, np.array([world.day(day).price]))
            _, day_history = load_keepa(conn, comp, book, rivals + own, day, day, utc(world.today, 5))
            print(f"appended {day}: {day_metrics:,} metric rows, {day_prices:,} price changes, {day_history:,} "
                  f"Keepa points in {time.perf_counter() - t0:.1f} s", flush=True)
            window = json.dumps({"min_date": day.isoformat(), "max_date": day.isoformat()})
            day_run = run_dbt(url, ["build", "--vars", window, *excluded], keep_log.with_suffix(".day.log"), target,
                              probe)
        end_size = probe.sample(conn)
        probe.stop()

    print()
    print(f"dataset                      {listings:,} listings x {days} days{' (+1 appended)' if day_run else ''}, "
          f"seed {seed}"
          + (f"; dbt --exclude {' '.join(exclude)}" if exclude else ""))
    print(f"rows loaded                  {metric_rows:,} metrics, {price_rows:,} price changes, "
          f"{history_rows:,} Keepa history, {tracked:,} tracking links")
    print(f"full dbt build               {full['seconds']:>10.1f} s   dbt build --full-refresh   ({full['summary']})")
    if day_run:
        print(f"incremental day              {day_run['seconds']:>10.1f} s   dbt build --vars '{window}'   "
              f"({day_run['summary']})")
        print(f"ratio incremental / full     {day_run['seconds'] / full['seconds']:>10.3f}     target < 0.05")
    else:
        print(f"incremental day              not run: {probe.aborted}")
    for label, r in (("full", full), ("day ", day_run)):
        if r:
            print(f"node time, {label} (2 threads)  {node_split(r['by_type'])}")
            print(f"slowest nodes, {label}         " + ", ".join(f"{n} {t:.0f} s" for t, n in r["slowest"]))
    print(f"database size                {loaded_size / 2**30:>10.2f} GB loaded, {full_size / 2**30:.2f} GB after the "
          f"full build, {end_size / 2**30:.2f} GB at the end")
    print(f"peak database size           {probe.peak / 2**30:>10.2f} GB   (pg_database_size, sampled every second)")
    print(f"peak RSS (this process)      {peak_rss_mb():>10,.0f} MB")
    print(f"dbt logs                     {keep_log.with_suffix('.full.log')}, {keep_log.with_suffix('.day.log')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--log-dir", type=Path, default=Path(__file__).resolve().parent / "results",
                        help="where the two dbt logs are written (default bench/results)")
    parser.add_argument("--keep-database", action="store_true", help="do not drop the scratch database at the end")
    parser.add_argument("--load-only", action="store_true",
                        help="load the dataset, keep the database and stop (to profile models by hand)")
    parser.add_argument("--exclude", nargs="+", metavar="SELECTOR",
                        help="dbt --exclude for both builds (to see what the rest costs when a model cannot finish)")
    parser.add_argument("--min-free-gb", type=float, default=20.0,
                        help="stop dbt when the database disk has less free space than this (default 20)")
    args = parser.parse_args()
    args.log_dir.mkdir(parents=True, exist_ok=True)
    run(args.listings, args.days, args.seed, args.log_dir / f"dbt_build_{args.listings}x{args.days}",
        args.keep_database, args.load_only, args.exclude, args.min_free_gb)


if __name__ == "__main__":
    main()
