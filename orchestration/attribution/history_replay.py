"""Demo only: replay the sandbox window's listing history through the daily sync's own upserts.

`listing-helper demo` syncs the catalogue once, at the end of the window; a real install syncs daily from the
day it is installed, so its listing versions and price history accumulate with their real dates. The replay
stands in for those daily syncs: on the first day, and on each later day the sandbox names as a change day
(sandbox.history.change_calendar), the merchant listings report and the changed ASINs' Catalog Items payloads are
rendered as of that day, landed as the fetch layer lands them, and applied by upsert_listings and
upsert_catalog_content. Only two things are set by hand, both to the replayed day: the report's completion time
(which the listings upsert takes as its sync time) and the created_at of the versions the content upsert wrote.
"""

from __future__ import annotations

import datetime as dt

import psycopg
from psycopg.types.json import Jsonb

from orchestration.sandbox import Faults, history, reports, spapi_routes
from orchestration.spapi import loading
from orchestration.spapi.upserts import upsert_catalog_content, upsert_listings

MERCHANT_LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
CATALOG_DATA = {"attributes", "classifications", "images", "relationships", "summaries", "productTypes"}


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), dt.timezone.utc)


def _listings_as_of(conn: psycopg.Connection, world, day: dt.date) -> dict:
    doc_id = f"history-replay-{day.isoformat()}-listings"
    text = reports.merchant_listings(world, Faults(), as_of=day)
    with conn.transaction():
        request_id = conn.execute(
            "insert into raw.report_requests (report_type, marketplace_ids, data_start_time, data_end_time, "
            "report_id, processing_status, report_document_id, requested_at, completed_at) "
            "values (%s, %s, %s, %s, %s, 'DONE', %s, %s, %s) returning id",
            (MERCHANT_LISTINGS, [world.marketplace_id], _at(day, 0), _at(day, 0), doc_id, doc_id, _at(day, 5),
             _at(day, 6))).fetchone()[0]
        loading.store_document(conn, report_document_id=doc_id, report_type=MERCHANT_LISTINGS,
                               content=text.encode("utf-8"), compression=None,
                               content_type="text/plain; charset=utf-8", report_request_id=request_id)
        loading.load_document(conn, report_type=MERCHANT_LISTINGS, report_document_id=doc_id)
    return upsert_listings(conn, doc_id)


def _date_prices(conn: psycopg.Connection, world, synced: dt.date, days_by_sku: dict[str, dt.date]) -> None:
    """The week's sync wrote each new price at the sync time; each took effect on its own day."""
    if not days_by_sku:
        return
    conn.execute("select system.ensure_partitions('pricing.price_history', %s, %s)",
                 (_at(min(days_by_sku.values()), 0), _at(synced, 23)))
    with conn.cursor() as cur:
        cur.executemany("update pricing.price_history h set time = %s from catalog.listings l "
                        "where l.id = h.listing_id and l.sku = %s and h.time = %s",
                        [(_at(day, 6), sku, _at(synced, 6)) for sku, day in days_by_sku.items() if day != synced])


def _content_as_of(conn: psycopg.Connection, world, day: dt.date, days_by_asin: dict[str, dt.date]) -> int:
    known = {r[0] for r in conn.execute("select distinct asin from catalog.listings").fetchall()}
    asins = sorted(a for a in days_by_asin if a in known)
    if not asins:
        return 0
    with conn.transaction():
        with conn.cursor() as cur, cur.copy("copy raw.api_responses (source, operation, request_key, request_params, "
                                            "http_status, payload) from stdin") as copy:
            for asin in asins:
                copy.write_row(("sp_api", "getCatalogItem", asin,
                                Jsonb({"marketplaceIds": world.marketplace_id, "asOf": day.isoformat()}), 200,
                                Jsonb(spapi_routes.catalog_item(world, asin, CATALOG_DATA, as_of=day))))
        counts = upsert_catalog_content(conn)
        # The upsert stamps versions with now() (this transaction's start); each happened on its own day.
        with conn.cursor() as cur:
            cur.executemany("update catalog.listing_versions v set created_at = %s from catalog.listings l "
                            "where l.id = v.listing_id and l.asin = %s and v.created_at = now()",
                            [(_at(days_by_asin[a], 9), a) for a in asins])
    return counts.get("versions_created", 0)


def replay_history(conn: psycopg.Connection, world, first: dt.date | None = None, last: dt.date | None = None,
                   every_days: int = 7) -> dict[str, int]:
    """Replay [first, last] (default: the world's window) on an empty catalogue, one sync per `every_days` days
    with changes (a listing changes at most once in that time), each change dated on its own day. Does nothing
    once listings exist: the replay only bootstraps the history a daily sync would have built."""
    if conn.execute("select exists (select 1 from catalog.listings)").fetchone()[0]:
        return {"skipped_catalogue_exists": 1}
    first, last = first or world.start_date, last or world.end_date
    calendar = history.change_calendar(world, first + dt.timedelta(days=1), last)
    start_content = {x.asin: first for x in world.listings if x.open_date <= first}
    batches: list[tuple[dt.date, dict, dict]] = [(first, {}, start_content)]
    for day, what in calendar.items():
        if (day - batches[-1][0]).days >= every_days or len(batches) == 1:
            batches.append((day, {}, {}))
        prices, content = batches[-1][1], batches[-1][2]
        for sku in what["price"] | what["opened"]:
            prices.setdefault(sku, day)
        for asin in what["content"] | {world.by_sku[s].asin for s in what["opened"]}:
            content.setdefault(asin, day)
    totals = {"syncs": 0, "listing_reports": 0, "versions": 0, "price_rows": 0}
    for batch_start, prices, content in batches:
        as_of = max([batch_start, *prices.values(), *content.values()])
        totals["syncs"] += 1
        if batch_start == first or prices:
            with conn.transaction():
                counts = _listings_as_of(conn, world, as_of)
                _date_prices(conn, world, as_of, prices)
            totals["listing_reports"] += 1
            totals["price_rows"] += counts.get("price_history_rows", 0)
        totals["versions"] += _content_as_of(conn, world, as_of, content)
    return totals
