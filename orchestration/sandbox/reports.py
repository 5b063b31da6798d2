"""Report documents generated from the world, with the real report types' headers and JSON shapes."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .faults import Faults
from .world import World
from .world_orders import uk_utc_offset_hours

FLAT_FILE_TYPES = {
    "GET_MERCHANT_LISTINGS_ALL_DATA", "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA", "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
    "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL", "GET_MERCHANTS_LISTINGS_FYP_REPORT",
}
JSON_TYPES = {"GET_SALES_AND_TRAFFIC_REPORT", "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT"}
REPORT_TYPES = FLAT_FILE_TYPES | JSON_TYPES


class NoData(Exception):
    """The requested period has no data: the report ends CANCELLED, as Amazon does."""


@dataclass
class ReportSpec:
    report_type: str
    data_start: dt.datetime | None = None
    data_end: dt.datetime | None = None
    options: dict = field(default_factory=dict)
    marketplace_ids: list[str] = field(default_factory=list)


def _clean(value) -> str:
    text = "" if value is None else str(value)
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def tsv(header: list[str], rows: list[list]) -> str:
    return "\n".join(["\t".join(header)] + ["\t".join(_clean(v) for v in row) for row in rows]) + "\n"


def _money(x: float) -> str:
    return f"{x:.2f}"


def _uk_open_date(lst, idx: int) -> str:
    """Merchant-listings open-date: day first, local time, BST/GMT suffix."""
    d = lst.open_date
    t = dt.time(8 + idx % 10, (idx * 7) % 60, (idx * 13) % 60)
    return f"{d:%d/%m/%Y} {t:%H:%M:%S} {'BST' if uk_utc_offset_hours(d) else 'GMT'}"


def _title(world: World, idx: int, faults: Faults, as_of: dt.date | None = None) -> str:
    title = world.content_on(idx, as_of)["title"]
    if faults.stray_quotes and idx % 9 == 4:
        title = '"' + title  # an unbalanced quote, as pasted from a spreadsheet
    return title


def merchant_listings(world: World, faults: Faults, as_of: dt.date | None = None) -> str:
    """The listings report; `as_of` (sandbox only, for the demo's history replay) renders it as on that day."""
    zshop = {"zshop-shipping-fee", "zshop-category1", "zshop-browse-path", "zshop-storefront-feature",
             "zshop-boldface", "bid-for-featured-placement"}
    header = ["item-name", "item-description", "listing-id", "seller-sku", "price", "quantity", "open-date",
              "image-url", "item-is-marketplace", "product-id-type", "zshop-shipping-fee", "item-note",
              "item-condition", "zshop-category1", "zshop-browse-path", "zshop-storefront-feature", "asin1", "asin2",
              "asin3", "will-ship-internationally", "expedited-shipping", "zshop-boldface", "product-id",
              "bid-for-featured-placement", "add-delete", "pending-quantity", faults.fulfilment_header]
    b2b = ["Business Price", "Quantity Price Type", "Quantity Lower Bound 1", "Quantity Price 1",
           "Quantity Lower Bound 2", "Quantity Price 2", "Quantity Lower Bound 3", "Quantity Price 3"]
    header += (b2b if faults.b2b_columns else []) + ["merchant-shipping-group"]
    if not faults.missing_status:
        header.append("status")
    stock = world.stock(as_of or world.today)
    rows = []
    for lst in world.listings:
        if lst.open_date > (as_of or world.end_date):
            continue
        i = lst.idx
        content = world.content_on(i, as_of)
        price = "" if lst.is_parent else _money(world.price_on(i, as_of) if as_of else world.current_price(i))
        fba = lst.fulfilment == "AFN"
        qty = "" if fba or lst.is_parent else str(int(world.arrays["fbm_quantity"][i]))
        status = "Active"
        if world.suppression(i, as_of) or (fba and stock["fulfillable"][i] <= 0):
            status = "Inactive"
        values = {"item-name": _title(world, i, faults, as_of), "item-description": content["description"] or "",
                  "listing-id": lst.listing_id, "seller-sku": lst.sku, "price": price, "quantity": qty,
                  "open-date": _uk_open_date(lst, i), "image-url": lst.images[0]["link"],
                  "item-is-marketplace": "y", "product-id-type": "1", "item-condition": "11", "asin1": lst.asin,
                  "product-id": lst.asin, "pending-quantity": "" if fba else "0",
                  faults.fulfilment_header: "AMAZON_EU" if fba else "DEFAULT",
                  "merchant-shipping-group": "Migrated Template", "status": status}
        if faults.b2b_columns and not lst.is_parent and i % 3 == 0:
            p = world.price_on(i, as_of) if as_of else world.current_price(i)
            values.update({"Business Price": _money(p * 0.95), "Quantity Price Type": "percent",
                           "Quantity Lower Bound 1": "10", "Quantity Price 1": "5",
                           "Quantity Lower Bound 2": "50", "Quantity Price 2": "10"})
        rows.append([values.get(h, "") for h in header])
    if faults.deprecated_columns:
        header = ["Deprecated column" if h in zshop else h for h in header]
    return tsv(header, rows)


def fba_fees(world: World, faults: Faults) -> str:
    header = ["sku", "fnsku", "asin", "product-name", "product-group", "brand", "fulfilled-by", "has-local-inventory",
              "your-price", "sales-price", "longest-side", "median-side", "shortest-side", "length-and-girth",
              "unit-of-dimension", "item-package-weight", "unit-of-weight", "product-size-weight-band", "currency",
              "estimated-fee-total", "estimated-referral-fee-per-unit", "estimated-variable-closing-fee",
              "estimated-order-handling-fee-per-order", "expected-domestic-fulfilment-fee-per-unit",
              "expected-efn-fulfilment-fee-per-unit-uk", "expected-efn-fulfilment-fee-per-unit-de",
              "expected-efn-fulfilment-fee-per-unit-fr", "expected-efn-fulfilment-fee-per-unit-it",
              "expected-efn-fulfilment-fee-per-unit-es"]
    rows = []
    for lst in world.listings:
        if lst.fulfilment != "AFN" or lst.open_date > world.end_date:
            continue
        q = world.fees(lst.idx)
        l_, m, s = lst.dims_cm
        rows.append([lst.sku, lst.fnsku, lst.asin, _title(world, lst.idx, faults), "Home Improvement", lst.brand,
                     "AMAZON_EU", "Y", _money(q.price), _money(q.price), f"{l_:.2f}", f"{m:.2f}", f"{s:.2f}",
                     f"{l_ + 2 * (m + s):.2f}", "centimeters", f"{lst.weight_g:.2f}", "grams", q.size_tier, "GBP",
                     _money(q.total), _money(q.referral_fee), "0.00", "--", _money(q.fba_fee), "--", "--", "--",
                     "--", "--"])
    return tsv(header, rows)


def fba_inventory(world: World, faults: Faults) -> str:
    header = ["sku", "fnsku", "asin", "product-name", "condition", "your-price", "mfn-listing-exists",
              "mfn-fulfillable-quantity", "afn-listing-exists", "afn-warehouse-quantity", "afn-fulfillable-quantity",
              "afn-unsellable-quantity", "afn-reserved-quantity", "afn-total-quantity", "per-unit-volume",
              "afn-inbound-working-quantity", "afn-inbound-shipped-quantity", "afn-inbound-receiving-quantity",
              "afn-researching-quantity", "afn-reserved-future-supply", "afn-future-supply-buyable"]
    s = world.stock(world.today)
    rows = []
    for lst in world.listings:
        if lst.fulfilment != "AFN" or lst.open_date > world.end_date:
            continue
        i = lst.idx
        ful, uns, res = int(s["fulfillable"][i]), int(s["unsellable"][i]), int(s["reserved"][i])
        inbound = int(s["inbound_working"][i] + s["inbound_shipped"][i] + s["inbound_receiving"][i])
        volume = lst.dims_cm[0] * lst.dims_cm[1] * lst.dims_cm[2] / 1000.0
        rows.append([lst.sku, lst.fnsku, lst.asin, _title(world, i, faults), "New", _money(world.current_price(i)),
                     "No", "", "Yes", ful + uns + res, ful, uns, res, ful + uns + res + inbound, f"{volume:.2f}",
                     int(s["inbound_working"][i]), int(s["inbound_shipped"][i]), int(s["inbound_receiving"][i]),
                     0, 0, 0])
    return tsv(header, rows)


def suppressed_listings(world: World, faults: Faults) -> str:
    header = ["Status", "Reason", "SKU", "ASIN", "Product name", "Condition", "Status Change Date",
              "Issue Description"]
    rows = []
    for lst in world.listings:
        sup = world.suppression(lst.idx)
        if sup:
            rows.append(["Inactive", sup["reason"], lst.sku, lst.asin, _title(world, lst.idx, faults), "New",
                         sup["start"].isoformat(), sup["message"]])
    return tsv(header, rows)


def _window_days(world: World, spec: ReportSpec, default_days: int) -> list[dt.date]:
    end = spec.data_end.date() if spec.data_end else world.end_date
    start = spec.data_start.date() if spec.data_start else end - dt.timedelta(days=default_days - 1)
    if start > end:
        raise ValueError("dataStartTime is after dataEndTime")
    days = []
    d = max(start, world.start_date)
    while d <= min(end, world.end_date):
        days.append(d)
        d += dt.timedelta(days=1)
    return days


def all_orders(world: World, spec: ReportSpec, faults: Faults) -> str:
    header = ["amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
              "fulfillment-channel", "sales-channel", "order-channel", "url", "ship-service-level", "product-name",
              "sku", "asin", "item-status", "quantity", "currency", "item-price", "item-tax", "shipping-price",
              "shipping-tax", "gift-wrap-price", "gift-wrap-tax", "item-promotion-discount",
              "ship-promotion-discount", "ship-city", "ship-state", "ship-postal-code", "ship-country",
              "promotion-ids", "is-business-order", "purchase-order-number", "price-designation"]
    lo = spec.data_start or dt.datetime.combine(world.end_date - dt.timedelta(days=29), dt.time(), dt.timezone.utc)
    hi = spec.data_end or dt.datetime.combine(world.today, dt.time(), dt.timezone.utc)
    lo_s, hi_s = lo.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"), hi.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    spec_ = ReportSpec(spec.report_type, lo - dt.timedelta(days=1), hi + dt.timedelta(days=1))
    rows = []
    for day in _window_days(world, spec_, 30):
        for order in world.orders_on(day):
            if lo_s <= order["purchase-date"][:19] <= hi_s:
                row = [order[h] for h in header]
                if faults.stray_quotes:
                    row[10] = _title(world, world.by_sku[order["sku"]].idx, faults)
                rows.append(row)
    rows.sort(key=lambda r: r[2])
    return tsv(header, rows)


def _pct(num: float, den: float) -> float:
    return round(100.0 * num / den, 2) if den else 0.0


def _amount(x: float) -> dict:
    return {"amount": round(float(x), 2), "currencyCode": "GBP"}


def sales_and_traffic(world: World, spec: ReportSpec, traffic_for: Callable[[dt.date], object]) -> str:
    """DAY granularity by date; by ASIN summed over the whole requested window (no date, as Amazon)."""
    days = _window_days(world, spec, 1)
    if not days:
        raise NoData("no complete days in the requested period")
    asin_gran = (spec.options or {}).get("asinGranularity", "PARENT")
    by_date = []
    n = world.listing_count
    tot = {k: np.zeros(n) for k in ("sessions", "browser_sessions", "mobile_sessions", "page_views",
                                     "browser_page_views", "mobile_page_views", "units", "order_items",
                                     "revenue", "bb_views")}
    for day in days:
        t = traffic_for(day)
        units, items, rev = int(t.units.sum()), int(t.order_items.sum()), float(t.revenue.sum())
        sessions, pv = int(t.sessions.sum()), int(t.page_views.sum())
        refunded = int(t.units_refunded.sum())
        by_date.append({
            "date": day.isoformat(),
            "salesByDate": {
                "orderedProductSales": _amount(rev), "unitsOrdered": units, "totalOrderItems": items,
                "averageSalesPerOrderItem": _amount(rev / items if items else 0.0),
                "averageUnitsPerOrderItem": round(units / items, 2) if items else 0.0,
                "averageSellingPrice": _amount(rev / units if units else 0.0),
                "unitsRefunded": refunded, "refundRate": _pct(refunded, units), "claimsGranted": 0,
                "claimsAmount": _amount(0.0), "shippedProductSales": _amount(rev * 0.97),
                "unitsShipped": int(round(units * 0.97)), "ordersShipped": int(round(items * 0.97))},
            "trafficByDate": {
                "browserPageViews": int(t.browser_page_views.sum()), "mobileAppPageViews": int(t.mobile_page_views.sum()),
                "pageViews": pv, "browserSessions": int(t.browser_sessions.sum()),
                "mobileAppSessions": int(t.mobile_sessions.sum()), "sessions": sessions,
                "buyBoxPercentage": _pct(float((t.buybox_pct / 100.0 * t.page_views).sum()), pv),
                "orderItemSessionPercentage": _pct(items, sessions), "unitSessionPercentage": _pct(units, sessions),
                "averageOfferCount": int(t.live.sum()), "averageParentItems": int(len({world.listings[i].parent_asin for i in np.flatnonzero(t.live)})),
                "feedbackReceived": int(items // 40), "negativeFeedbackReceived": 0, "receivedNegativeFeedbackRate": 0.0}})
        for k in ("sessions", "browser_sessions", "mobile_sessions", "page_views", "browser_page_views",
                  "mobile_page_views", "units", "order_items", "revenue"):
            tot[k] += getattr(t, k)
        tot["bb_views"] += t.buybox_pct / 100.0 * t.page_views
    by_asin = _by_asin(world, tot, asin_gran)
    doc = {"reportSpecification": {"reportType": "GET_SALES_AND_TRAFFIC_REPORT",
                                   "reportOptions": {"dateGranularity": "DAY", "asinGranularity": asin_gran},
                                   "dataStartTime": days[0].isoformat(), "dataEndTime": days[-1].isoformat(),
                                   "marketplaceIds": [world.marketplace_id]},
           "salesAndTrafficByDate": by_date, "salesAndTrafficByAsin": by_asin}
    return json.dumps(doc, indent=2)


def _by_asin(world: World, tot: dict[str, np.ndarray], granularity: str) -> list[dict]:
    groups: dict[tuple, list[int]] = {}
    for lst in world.listings:
        if not lst.buyable or (tot["sessions"][lst.idx] == 0 and tot["units"][lst.idx] == 0):
            continue
        key = {"SKU": (lst.parent_asin, lst.asin, lst.sku), "CHILD": (lst.parent_asin, lst.asin),
               "PARENT": (lst.parent_asin,)}[granularity]
        groups.setdefault(key, []).append(lst.idx)
    all_s, all_pv = max(tot["sessions"].sum(), 1), max(tot["page_views"].sum(), 1)
    all_bs, all_ms = max(tot["browser_sessions"].sum(), 1), max(tot["mobile_sessions"].sum(), 1)
    all_bpv, all_mpv = max(tot["browser_page_views"].sum(), 1), max(tot["mobile_page_views"].sum(), 1)
    rows = []
    for key, idxs in sorted(groups.items()):
        g = {k: float(v[idxs].sum()) for k, v in tot.items()}
        row = {"parentAsin": key[0]}
        if granularity != "PARENT":
            row["childAsin"] = key[1]
        if granularity == "SKU":
            row["sku"] = key[2]
        row["salesByAsin"] = {"unitsOrdered": int(g["units"]), "orderedProductSales": _amount(g["revenue"]),
                              "totalOrderItems": int(g["order_items"])}
        row["trafficByAsin"] = {
            "browserSessions": int(g["browser_sessions"]), "mobileAppSessions": int(g["mobile_sessions"]),
            "sessions": int(g["sessions"]), "browserSessionPercentage": _pct(g["browser_sessions"], all_bs),
            "mobileAppSessionPercentage": _pct(g["mobile_sessions"], all_ms),
            "sessionPercentage": _pct(g["sessions"], all_s), "browserPageViews": int(g["browser_page_views"]),
            "mobileAppPageViews": int(g["mobile_page_views"]), "pageViews": int(g["page_views"]),
            "browserPageViewsPercentage": _pct(g["browser_page_views"], all_bpv),
            "mobileAppPageViewsPercentage": _pct(g["mobile_page_views"], all_mpv),
            "pageViewsPercentage": _pct(g["page_views"], all_pv), "buyBoxPercentage": _pct(g["bb_views"], g["page_views"]),
            "unitSessionPercentage": _pct(g["units"], g["sessions"])}
        rows.append(row)
    return rows


def search_terms(world: World, spec: ReportSpec) -> str:
    period = (spec.options or {}).get("reportPeriod", "WEEK")
    if period != "WEEK":
        raise NoData("the sandbox publishes weekly search terms only")
    start = (spec.data_start.date() if spec.data_start else world.end_date - dt.timedelta(days=7))
    week_start = start - dt.timedelta(days=(start.weekday() + 1) % 7)  # Sunday
    week_end = week_start + dt.timedelta(days=6)
    if week_end > world.end_date:
        raise NoData("the week is not complete yet")
    doc = {"reportSpecification": {"reportType": "GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT",
                                   "reportOptions": {"reportPeriod": "WEEK"}, "dataStartTime": week_start.isoformat(),
                                   "dataEndTime": week_end.isoformat(), "marketplaceIds": [world.marketplace_id]},
           "dataByDepartmentAndSearchTerm": world.search_terms_week(week_start)}
    return json.dumps(doc, indent=2)
