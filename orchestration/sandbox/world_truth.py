"""The planted ground truth (every change in the window and its true effect) that attribution is scored on."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .world_events import NONE, PRICE, TYPE_NAMES

if TYPE_CHECKING:
    from .world import World
    from .world_catalog import Listing

CLEAN_DAYS_CAP = 365
NOTES = ("Effects are relative and multiplicative, starting on the change date and lasting. "
         "Content edits carry a planted effect on conversion or sessions, or exactly none. "
         "A price change's effect on conversion is its elasticity: (new/old)**elasticity - 1. "
         "Conversion also scales with buy box share and is zero while an FBA listing is out of stock; "
         "suppressed listings lose ~97% of sessions and all sales.")


def _disturbances(world: "World", idx: int) -> list[tuple[int, int]]:
    """(first, last) day ordinals of every change or suppression of a listing, whole calendar."""
    ev = world.events
    spans = [(int(d), int(d)) for t, d in zip(ev.ev_type[:, idx], ev.ev_day[:, idx]) if t != NONE]
    spans += [(int(s), int(s + n - 1)) for s, n in zip(ev.sup_start[:, idx], ev.sup_len[:, idx]) if s >= 0]
    for eff, _field, _value in world._edits.get(idx, []):
        spans.append((eff, eff))
    return sorted(spans)


def _clean_days(world: "World", idx: int, day_ord: int) -> tuple[int, int]:
    start, end = world.start_date.toordinal(), world.end_date.toordinal()
    before, after = max(start, day_ord - CLEAN_DAYS_CAP), min(end + 1, day_ord + CLEAN_DAYS_CAP)
    for first, last in _disturbances(world, idx):
        if last < day_ord:
            before = max(before, last + 1)
        elif first > day_ord:
            after = min(after, first)
    return day_ord - before, after - day_ord


def _value(v):
    return list(v) if isinstance(v, (list, tuple)) else v


def change_records(world: "World") -> list[dict]:
    ev = world.events
    start, end = world.start_date.toordinal(), world.end_date.toordinal()
    records = []
    for b in range(ev.blocks):
        for idx in np.flatnonzero((ev.ev_type[b] != NONE) & (ev.ev_day[b] >= start) & (ev.ev_day[b] <= end)):
            lst = world.listings[idx]
            day = dt.date.fromordinal(int(ev.ev_day[b, idx]))
            kind = int(ev.ev_type[b, idx])
            before_day = day - dt.timedelta(days=1)
            if kind == PRICE:
                old, new = world.price_on(idx, before_day), world.price_on(idx, day)
                if old == new:
                    continue  # the new level rounded to the same shelf price: nothing observable happened
                conv = (new / old) ** float(world.arrays["elasticity"][idx]) - 1.0
                sess, source, field = 0.0, "elasticity", "price"
            else:
                field = TYPE_NAMES[kind]
                old, new = world.content_on(idx, before_day)[field], world.content_on(idx, day)[field]
                conv, sess = float(ev.conv_effect[b, idx]), float(ev.sess_effect[b, idx])
                source = "planted" if (conv or sess) else "none"
            clean_before, clean_after = _clean_days(world, idx, day.toordinal())
            records.append({
                "event_id": f"evt-{b:03d}-{lst.sku}", "sku": lst.sku, "asin": lst.asin, "date": day.isoformat(),
                "change_type": "price" if kind == PRICE else "content", "fields_changed": [field],
                "old_value": _value(old), "new_value": _value(new),
                "true_conversion_effect": round(conv, 6), "true_sessions_effect": round(sess, 6),
                "has_true_effect": bool(conv or sess), "effect_source": source,
                "clean_days_before": clean_before, "clean_days_after": clean_after,
            })
    records.extend(world.api_changes)
    return sorted(records, key=lambda r: (r["date"], r["sku"], r["event_id"]))


def api_change_record(world: "World", lst: "Listing", eff: dt.date, field: str, old, new, source: str,
                      number: int) -> dict:
    if field == "price":
        conv = (float(new) / old) ** float(world.arrays["elasticity"][lst.idx]) - 1.0 if old else 0.0
        kind, effect_source = "price", "elasticity"
    else:
        conv, kind, effect_source = 0.0, "content", "none"
    return {"event_id": f"api-{number:05d}-{lst.sku}-{field}", "sku": lst.sku, "asin": lst.asin,
            "date": eff.isoformat(), "change_type": kind, "fields_changed": [field], "old_value": _value(old),
            "new_value": _value(new), "true_conversion_effect": round(conv, 6), "true_sessions_effect": 0.0,
            "has_true_effect": bool(conv), "effect_source": effect_source, "origin": source,
            "clean_days_before": None, "clean_days_after": None}


def listing_records(world: "World") -> list[dict]:
    a = world.arrays
    return [{"sku": x.sku, "asin": x.asin, "parent_asin": x.parent_asin, "buyable": x.buyable,
             "category": x.category, "fulfilment": x.fulfilment or None, "open_date": x.open_date.isoformat(),
             "true_elasticity": round(float(a["elasticity"][x.idx]), 4) if x.buyable else None,
             "base_units_per_day": round(float(a["base_units"][x.idx]), 4),
             "base_conversion": round(float(a["base_conv"][x.idx]), 5),
             "content_quality": round(float(a["quality"][x.idx]), 4)} for x in world.listings]


def suppression_records(world: "World") -> list[dict]:
    ev = world.events
    start, end = world.start_date.toordinal(), world.end_date.toordinal()
    rows = []
    for b in range(ev.blocks):
        for idx in np.flatnonzero((ev.sup_start[b] >= 0) & (ev.sup_start[b] <= end)
                                  & (ev.sup_start[b] + ev.sup_len[b] > start)):
            s = world.suppression(int(idx), dt.date.fromordinal(int(ev.sup_start[b, idx])))
            if s:
                rows.append({"sku": world.listings[idx].sku, "start": s["start"].isoformat(),
                             "end": s["end"].isoformat(), "reason": s["reason"]})
    return rows


def ground_truth(world: "World") -> dict:
    return {"seed": world.seed, "listing_count": world.listing_count, "start_date": world.start_date.isoformat(),
            "end_date": world.end_date.isoformat(), "marketplace_id": world.marketplace_id, "notes": NOTES,
            "listings": listing_records(world), "changes": change_records(world),
            "suppressions": suppression_records(world)}


def write_ground_truth(world: "World", path) -> Path:
    """JSON (one document) or, for a .jsonl path, JSON lines with a record_type on each line."""
    path = Path(path)
    truth = ground_truth(world)
    if path.suffix == ".jsonl":
        with path.open("w", encoding="utf-8") as f:
            head = {k: v for k, v in truth.items() if k not in ("listings", "changes", "suppressions")}
            f.write(json.dumps({"record_type": "world", **head}) + "\n")
            for kind, key in (("listing", "listings"), ("change", "changes"), ("suppression", "suppressions")):
                for row in truth[key]:
                    f.write(json.dumps({"record_type": kind, **row}, ensure_ascii=False) + "\n")
    else:
        path.write_text(json.dumps(truth, indent=1, ensure_ascii=False), encoding="utf-8")
    return path
