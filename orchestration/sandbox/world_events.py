"""Planted history: price changes, content edits (with known true effects) and suppressions, per 70-day block."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

# Events are laid out on a fixed calendar from EPOCH so that day D's state never depends on the
# window asked for. Each listing has at most one change per 70-day block, placed 20-50 days into it,
# so consecutive changes are at least 40 days apart (>= 28 clean days either side of every change,
# unless a suppression or the window edge intervenes).
EPOCH = dt.date(2018, 1, 1)
EPOCH_ORD = EPOCH.toordinal()
BLOCK_DAYS = 70
OFFSET_MIN, OFFSET_MAX = 20, 50

NONE, PRICE, TITLE, BULLETS, DESCRIPTION, SEARCH_TERMS = -1, 0, 1, 2, 3, 4
TYPE_NAMES = {PRICE: "price", TITLE: "title", BULLETS: "bullets", DESCRIPTION: "description",
              SEARCH_TERMS: "search_terms"}
_TYPE_CUTS = np.array([0.5, 0.7, 0.82, 0.9, 1.0])  # price 50%, title 20%, bullets 12%, desc 8%, terms 10%


def block_of(day_ord: int) -> int:
    return (day_ord - EPOCH_ORD) // BLOCK_DAYS


@dataclass
class EventTable:
    """Per block x listing arrays; `*_before[b]` is the state carried into block b."""

    ev_type: np.ndarray  # int8 (blocks, n), NONE when no event
    ev_day: np.ndarray  # int32 ordinal of the change date
    price_level: np.ndarray  # float32 multiplier of the base price set by a price event
    conv_effect: np.ndarray  # float32 planted relative effect on conversion (content edits)
    sess_effect: np.ndarray  # float32 planted relative effect on sessions (content edits)
    level_before: np.ndarray
    conv_before: np.ndarray
    sess_before: np.ndarray
    sup_start: np.ndarray  # int32 ordinal, -1 when no suppression in the block
    sup_len: np.ndarray
    sup_reason: np.ndarray  # int8 index into SUPPRESSION_REASONS

    @property
    def blocks(self) -> int:
        return self.ev_type.shape[0]


def build_events(seed: int, arrays: dict[str, np.ndarray], twin_of: np.ndarray, last_day_ord: int) -> EventTable:
    n = len(arrays["buyable"])
    blocks = block_of(last_day_ord) + 2
    ev_type = np.full((blocks, n), NONE, dtype=np.int8)
    ev_day = np.zeros((blocks, n), dtype=np.int32)
    level = np.ones((blocks, n), dtype=np.float32)
    conv = np.zeros((blocks, n), dtype=np.float32)
    sess = np.zeros((blocks, n), dtype=np.float32)
    sup_start = np.full((blocks, n), -1, dtype=np.int32)
    sup_len = np.zeros((blocks, n), dtype=np.int32)
    sup_reason = np.zeros((blocks, n), dtype=np.int8)
    twins = np.flatnonzero(twin_of >= 0)
    primaries = twin_of[twins]
    for b in range(blocks):
        rng = np.random.default_rng([seed, 2, b])
        # Always draw every array in the same order so a block's draws never depend on others.
        u_event, offset, u_type = rng.random(n), rng.integers(OFFSET_MIN, OFFSET_MAX + 1, n), rng.random(n)
        new_level = rng.uniform(0.82, 1.18, n)
        u_effect, u_which, size, u_sign = rng.random(n), rng.random(n), rng.uniform(0.10, 0.30, n), rng.random(n)
        u_sup, sup_off, sup_n, sup_r = rng.random(n), rng.integers(0, BLOCK_DAYS, n), rng.integers(3, 31, n), rng.integers(0, 4, n)
        day = EPOCH_ORD + b * BLOCK_DAYS + offset
        has = (u_event < arrays["event_rate"]) & (day >= arrays["open_ord"] + 28)
        kind = np.searchsorted(_TYPE_CUTS, u_type, side="right").astype(np.int8)
        # About 40% of content edits carry a true effect; the rest change nothing at all.
        effect = (kind != PRICE) & (u_effect < 0.4)
        signed = np.where(u_sign < 0.75, size, -size)
        # Search terms and half of the title edits move traffic; the other edits move conversion.
        on_sessions = (kind == SEARCH_TERMS) | ((kind == TITLE) & (u_which < 0.5))
        c_eff = np.where(effect & ~on_sessions, signed, 0.0)
        s_eff = np.where(effect & on_sessions, signed, 0.0)
        # A second offer on the same ASIN shares the content: it inherits the primary's content edit
        # (and its effect) and gives up its own change in that block to keep the spacing.
        if len(twins):
            p_content = has[primaries] & (kind[primaries] != PRICE)
            own_price = has[twins] & (kind[twins] == PRICE) & ~p_content
            for arr in (kind, day, c_eff, s_eff):
                arr[twins] = np.where(p_content, arr[primaries], arr[twins])
            has[twins] = p_content | own_price
        ev_type[b] = np.where(has, kind, NONE)
        ev_day[b] = day
        level[b] = new_level
        conv[b] = np.where(has, c_eff, 0.0)
        sess[b] = np.where(has, s_eff, 0.0)
        sup = (u_sup < 0.05) & arrays["buyable"]
        sup_start[b] = np.where(sup, EPOCH_ORD + b * BLOCK_DAYS + sup_off, -1)
        sup_len[b] = sup_n
        sup_reason[b] = sup_r
    level_before = np.ones_like(level)
    conv_before = np.ones_like(conv)
    sess_before = np.ones_like(sess)
    for b in range(1, blocks):
        fired = ev_type[b - 1] == PRICE
        level_before[b] = np.where(fired, level[b - 1], level_before[b - 1])
        conv_before[b] = conv_before[b - 1] * (1.0 + conv[b - 1])
        sess_before[b] = sess_before[b - 1] * (1.0 + sess[b - 1])
    return EventTable(ev_type, ev_day, level, conv, sess, level_before, conv_before, sess_before,
                      sup_start, sup_len, sup_reason)


def price_99(x: np.ndarray) -> np.ndarray:
    """Vectorised .49/.99 shelf pricing."""
    fl = np.floor(x)
    return np.round(np.maximum(0.99, fl + np.where(x - fl < 0.5, 0.49, 0.99)), 2)


def state_on(events: EventTable, day_ord: int) -> dict[str, np.ndarray]:
    """Price level, conversion and session multipliers and suppression for every listing on a day."""
    b = block_of(day_ord)
    if b < 0 or b >= events.blocks:
        raise ValueError("day outside the simulated calendar")
    fired = (events.ev_type[b] != NONE) & (events.ev_day[b] <= day_ord)
    price_fired = fired & (events.ev_type[b] == PRICE)
    level = np.where(price_fired, events.price_level[b], events.level_before[b])
    conv = events.conv_before[b] * np.where(fired, 1.0 + events.conv_effect[b], 1.0)
    sess = events.sess_before[b] * np.where(fired, 1.0 + events.sess_effect[b], 1.0)
    suppressed = np.zeros(events.ev_type.shape[1], dtype=bool)
    for bb in (b - 1, b):
        if bb < 0:
            continue
        start = events.sup_start[bb]
        suppressed |= (start >= 0) & (start <= day_ord) & (day_ord < start + events.sup_len[bb])
    return {"price_level": level, "conv_mult": conv, "sess_mult": sess, "suppressed": suppressed}


def suppression_on(events: EventTable, idx: int, day_ord: int) -> tuple[int, int, int] | None:
    """(start ordinal, length, reason index) of the suppression covering a listing on a day, if any."""
    b = block_of(day_ord)
    for bb in (b, b - 1):
        if 0 <= bb < events.blocks:
            start = int(events.sup_start[bb, idx])
            if start >= 0 and start <= day_ord < start + int(events.sup_len[bb, idx]):
                return start, int(events.sup_len[bb, idx]), int(events.sup_reason[bb, idx])
    return None


def latest_edit_block(events: EventTable, idx: int, field_type: int, day_ord: int) -> int | None:
    """Block of the most recent edit of one content field on or before a day."""
    hits = np.flatnonzero((events.ev_type[:, idx] == field_type) & (events.ev_day[:, idx] <= day_ord))
    return int(hits[-1]) if len(hits) else None
