"""Competitor alerts from Keepa history: rivals' price moves, stock-outs, rank jumps, entrants, edits; our lost Buy Box.

Severity follows the direction that matters to us: a rival cutting its price or climbing the sales
rank threatens our sales and rates by the thresholds in system.settings 'alerts.competitor_thresholds';
a rival raising its price or dropping down the rank is an opportunity or a note and rates lower.
"Buy Box lost" is about our offer: on an ASIN we sell, the Buy Box passed from our seller id to
another seller (Amazon included). Each alert has a deterministic dedupe_key (type, product, event
time), so detecting over the same history again, or after re-ingesting it, writes nothing new.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import Counter
from pathlib import Path

import psycopg

from .parsing import AMAZON_SELLER_IDS

log = logging.getLogger(__name__)
SQL = Path(__file__).with_name("sql")
_TRACKED = (SQL / "tracked_competitors.sql").read_text()
_OWN = (SQL / "own_asins_fetched.sql").read_text()
_INSERT = (SQL / "insert_alert.sql").read_text()
_HISTORY = "SELECT time, new_price_pence, new_out_of_stock, bsr FROM competitors.price_history " \
           "WHERE competitor_id = %s ORDER BY time"
_SELLERS = "SELECT time, buy_box_seller_id FROM competitors.price_history " \
           "WHERE competitor_id = %s AND buy_box_seller_id IS NOT NULL ORDER BY time"
FIXED_SEVERITY = {"out_of_stock": "medium", "back_in_stock": "low", "new_competitor": "medium",
                  "buy_box_lost": "high", "listing_change": "low"}
LEVELS = ("low", "medium", "high", "critical")
ENTRANT_GRACE = dt.timedelta(days=1)
# Percentage points of change_pct; the migration 0120 writes the same defaults into system.settings.
DEFAULT_THRESHOLDS = {
    "price_drop_pct": {"low": 3, "medium": 5, "high": 10, "critical": 20},
    "price_increase_pct": {"low": 5, "medium": 20, "high": 40},
    "rank_improve_pct": {"low": 25, "medium": 50, "high": 75, "critical": 90},
    "rank_worsen_pct": {"low": 100},
}


def thresholds(conn: psycopg.Connection) -> dict:
    """Levels per direction from system.settings; a missing key falls back to the old key or the default."""
    row = conn.execute("SELECT value FROM system.settings WHERE key = 'alerts.competitor_thresholds'").fetchone()
    value = row[0] if row else None
    value = json.loads(value) if isinstance(value, str) else (value or {})
    return {"price_drop": value.get("price_drop_pct") or DEFAULT_THRESHOLDS["price_drop_pct"],
            "price_increase": value.get("price_increase_pct") or DEFAULT_THRESHOLDS["price_increase_pct"],
            "rank_improve": value.get("rank_improve_pct") or DEFAULT_THRESHOLDS["rank_improve_pct"],
            # Before 0120 rank_jump_pct rated the rank number rising; it stays that key's meaning.
            "rank_worsen": value.get("rank_worsen_pct") or value.get("rank_jump_pct")
            or DEFAULT_THRESHOLDS["rank_worsen_pct"]}


def severity(pct: float, levels: dict) -> str | None:
    """Highest level whose threshold |pct| reaches; None below the lowest (noise)."""
    hit = None
    for name in LEVELS:
        if name in levels and abs(pct) >= float(levels[name]):
            hit = name
    return hit


def _key(alert_type: str, competitor_id, at: dt.datetime) -> str:
    return f"{alert_type}:{competitor_id}:{at.astimezone(dt.timezone.utc).isoformat()}"


def _write(conn, competitor_id, alert_type, old, new, pct, sev, listings, at) -> int:
    cur = conn.execute(_INSERT, (competitor_id, alert_type, None if old is None else str(old),
                                 None if new is None else str(new), None if pct is None else round(pct, 2), sev,
                                 listings, _key(alert_type, competitor_id, at), at))
    return cur.rowcount


def record_listing_change(conn, competitor_id, changed: dict[str, tuple], at: dt.datetime) -> int:
    """Title and/or images edits seen between two payloads, as one alert: {field: (old, new)}.
    Nothing for a rival tracked for none of our listings (ignored everywhere)."""
    listings = conn.execute("SELECT tracked_for_listings FROM competitors.products WHERE id = %s",
                            (competitor_id,)).fetchone()[0]
    if not listings:
        return 0
    old = json.dumps({f: v[0] for f, v in changed.items()}, ensure_ascii=False)
    new = json.dumps({f: v[1] for f, v in changed.items()}, ensure_ascii=False)
    return _write(conn, competitor_id, "listing_change", old, new, None, FIXED_SEVERITY["listing_change"], listings, at)


def _pct(old: float, new: float) -> float:
    return (new - old) / old * 100


def _events(rows, levels: dict):
    """(type, previous, new, change_pct, severity, time) for one rival's ordered history.

    Each move is measured against the last observation, so a planted step fires once and the
    day-to-day wobble around a level stays under the lowest threshold.
    """
    price = stock = rank = None
    for at, new_price, out, bsr in rows:
        if out is True and stock is False:
            yield "out_of_stock", price, None, None, FIXED_SEVERITY["out_of_stock"], at
        elif out is False and stock is True:
            yield "back_in_stock", None, new_price, None, FIXED_SEVERITY["back_in_stock"], at
        if out is not None:
            stock = out
        if new_price is not None:
            if price is not None and new_price != price:
                pct = _pct(price, new_price)
                kind = "price_drop" if pct < 0 else "price_increase"
                sev = severity(pct, levels[kind])
                if sev:
                    yield kind, price, new_price, pct, sev, at
            price = new_price
        if bsr is not None:
            if rank is not None and bsr != rank:
                pct = _pct(rank, bsr)
                # A falling rank number is a rival selling more: the threat. A rising one is a note.
                sev = severity(pct, levels["rank_improve" if pct < 0 else "rank_worsen"])
                if sev:
                    yield "bsr_change", rank, bsr, pct, sev, at
            rank = bsr


def seller_label(seller_id: str) -> str:
    return f"{seller_id} (Amazon)" if seller_id in AMAZON_SELLER_IDS else seller_id


def _buy_box_losses(rows, ours: set[str]):
    """(type, previous, new, None, severity, time) each time the Buy Box passes from us to another seller.

    Keepa lists Buy Box sellers at changes only; instants without one keep the last holder, and
    "nobody" (-1, e.g. while we are out of stock) is not stored, so us -> nobody -> X is a loss to X.
    """
    holder = None
    for at, seller in rows:
        if holder in ours and seller not in ours:
            yield "buy_box_lost", holder, seller_label(seller), None, FIXED_SEVERITY["buy_box_lost"], at
        holder = seller


def detect_alerts(conn: psycopg.Connection, *, seller_ids: str | list[str] | None = None,
                  run_id: str | None = None) -> dict:
    """Write new alerts for every tracked (not ignored) rival and, given our seller id(s), for a Buy Box
    lost on our own ASINs; returns counts of alerts written by type."""
    levels = thresholds(conn)
    ours = {seller_ids} if isinstance(seller_ids, str) else set(seller_ids or ())
    ours.discard("")
    counts: Counter = Counter()
    tracked = conn.execute(_TRACKED).fetchall()
    # Our watch began with the earliest history we hold; a rival first seen more than a day after
    # that is a new entrant (established rivals' first points all fall in that first day).
    ids = [c for c, _ in tracked]
    firsts = dict(conn.execute("SELECT competitor_id, min(time) FROM competitors.price_history "
                               "WHERE competitor_id = ANY(%s) GROUP BY competitor_id", (ids,)).fetchall())
    watch_start = min(firsts.values()) if firsts else None
    for competitor_id, listings in tracked:
        with conn.transaction():
            first = firsts.get(competitor_id)
            if first is not None and first > watch_start + ENTRANT_GRACE:
                counts["new_competitor"] += _write(conn, competitor_id, "new_competitor", None, "first seen", None,
                                                   FIXED_SEVERITY["new_competitor"], listings, first)
            rows = conn.execute(_HISTORY, (competitor_id,)).fetchall()
            for alert_type, old, new, pct, sev, at in _events(rows, levels):
                counts[alert_type] += _write(conn, competitor_id, alert_type, old, new, pct, sev, listings, at)
    own = conn.execute(_OWN).fetchall()
    if own and not ours:
        log.warning("our seller id is not configured (LISTING_HELPER_SPAPI_SELLER_ID): Buy Box losses on our "
                    "%d ASINs are not detected", len(own))
    for product_id, listings in own if ours else ():
        with conn.transaction():
            rows = conn.execute(_SELLERS, (product_id,)).fetchall()
            for alert_type, old, new, pct, sev, at in _buy_box_losses(rows, ours):
                counts[alert_type] += _write(conn, product_id, alert_type, old, new, pct, sev, listings, at)
    return {k: v for k, v in counts.items() if v}
