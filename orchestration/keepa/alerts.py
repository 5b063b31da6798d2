"""Competitor alerts from Keepa history: price moves, stock-outs, rank jumps, Buy Box changes, entrants, edits.

Each alert has a deterministic dedupe_key (type, competitor, event time), so detecting over the
same history again, or after re-ingesting it, writes nothing new.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import psycopg

SQL = Path(__file__).with_name("sql")
_TRACKED = (SQL / "tracked_competitors.sql").read_text()
_INSERT = (SQL / "insert_alert.sql").read_text()
_HISTORY = "SELECT time, new_price_pence, new_out_of_stock, bsr, buy_box_seller_id FROM competitors.price_history " \
           "WHERE competitor_id = %s ORDER BY time"
FIXED_SEVERITY = {"out_of_stock": "medium", "back_in_stock": "low", "new_competitor": "medium",
                  "buy_box_lost": "high", "listing_change": "low"}
LEVELS = ("low", "medium", "high", "critical")
ENTRANT_GRACE = dt.timedelta(days=1)


def thresholds(conn: psycopg.Connection) -> dict:
    row = conn.execute("SELECT value FROM system.settings WHERE key = 'alerts.competitor_thresholds'").fetchone()
    value = row[0] if row else None
    value = json.loads(value) if isinstance(value, str) else (value or {})
    return {"price": value.get("price_drop_pct") or {"low": 3, "medium": 5, "high": 10, "critical": 20},
            "rank": value.get("rank_jump_pct") or {"low": 20, "medium": 50, "high": 100, "critical": 200}}


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
    """Title and/or images edits seen between two payloads, as one alert: {field: (old, new)}."""
    listings = conn.execute("SELECT tracked_for_listings FROM competitors.products WHERE id = %s",
                            (competitor_id,)).fetchone()[0]
    old = json.dumps({f: v[0] for f, v in changed.items()}, ensure_ascii=False)
    new = json.dumps({f: v[1] for f, v in changed.items()}, ensure_ascii=False)
    return _write(conn, competitor_id, "listing_change", old, new, None, FIXED_SEVERITY["listing_change"], listings, at)


def _pct(old: float, new: float) -> float:
    return (new - old) / old * 100


def _events(rows, levels: dict):
    """(type, previous, new, change_pct, severity, time) for one competitor's ordered history."""
    price = stock = rank = seller = None
    for at, new_price, out, bsr, bb_seller in rows:
        if out is True and stock is False:
            yield "out_of_stock", price, None, None, FIXED_SEVERITY["out_of_stock"], at
        elif out is False and stock is True:
            yield "back_in_stock", None, new_price, None, FIXED_SEVERITY["back_in_stock"], at
        if out is not None:
            stock = out
        if new_price is not None:
            if price is not None and new_price != price:
                pct = _pct(price, new_price)
                sev = severity(pct, levels["price"])
                if sev:
                    yield ("price_drop" if pct < 0 else "price_increase"), price, new_price, pct, sev, at
            price = new_price
        if bsr is not None:
            if rank is not None and bsr != rank:
                pct = _pct(rank, bsr)
                sev = severity(pct, levels["rank"])
                if sev:
                    yield "bsr_change", rank, bsr, pct, sev, at
            rank = bsr
        if bb_seller is not None:
            if seller is not None and bb_seller != seller:
                yield "buy_box_lost", seller, bb_seller, None, FIXED_SEVERITY["buy_box_lost"], at
            seller = bb_seller


def detect_alerts(conn: psycopg.Connection, *, run_id: str | None = None) -> dict:
    """Write new alerts for every tracked (not ignored) competitor; returns counts of alerts written by type."""
    levels = thresholds(conn)
    counts: Counter = Counter()
    tracked = conn.execute(_TRACKED).fetchall()
    if not tracked:
        return {}
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
    return {k: v for k, v in counts.items() if v}
