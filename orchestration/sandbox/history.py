"""Sandbox only: the days on which something about a listing changed, for the demo's history replay.

Amazon tells a seller about listing changes (notifications, or a daily sync that diffs). The sandbox stands in
for that feed: it names the days on which a listing's content or price changes, or a listing opens, and which
ASINs' content changed. It says nothing about effects (the planted truth stays behind the admin route)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from .world_events import NONE, PRICE


def change_calendar(world, first: dt.date, last: dt.date) -> dict[dt.date, dict[str, set]]:
    """{day: {"price": {sku, ...}, "content": {asin, ...}, "opened": {sku, ...}}} for days in [first, last]."""
    ev = world.events
    lo, hi = first.toordinal(), last.toordinal()
    out: dict[dt.date, dict[str, set]] = {}

    def at(day_ord: int) -> dict[str, set]:
        return out.setdefault(dt.date.fromordinal(int(day_ord)), {"price": set(), "content": set(), "opened": set()})

    hits = (ev.ev_type != NONE) & (ev.ev_day >= lo) & (ev.ev_day <= hi)
    for b, idx in zip(*np.nonzero(hits)):
        lst = world.listings[idx]
        if ev.ev_type[b, idx] == PRICE:
            at(ev.ev_day[b, idx])["price"].add(lst.sku)
        else:
            at(ev.ev_day[b, idx])["content"].add(lst.asin)
    for idx, edits in world._edits.items():
        for eff, field, _value in edits:
            if lo <= eff <= hi:
                key = "price" if field == "price" else "content"
                at(eff)[key].add(world.listings[idx].sku if key == "price" else world.listings[idx].asin)
    for lst in world.listings:
        if lo <= lst.open_date.toordinal() <= hi:
            at(lst.open_date.toordinal())["opened"].add(lst.sku)
    return dict(sorted(out.items()))
