"""Price rules resolved into one proposal per listing, and the guard rails every automated price obeys.

Pure functions over Decimals (no database), so the property-based tests can drive thousands of random
cases. The database side (orchestration.automation.pricing) gathers the inputs set-based and records
the decisions.

Rails, in the order they apply:
1. floor: the highest of fct_listing_margins.floor_price_gbp (landed cost + fees + margin floor, as dbt
   computes it), the seller's min_price and every active margin_floor rule's floor (the lowest candidate
   of fct_listing_price_points meeting its margin). No floor known = no automated change.
2. ceiling: the seller's max_price, else the highest of the current price, the Buy Box price and the
   floor (so a listing priced under its floor may be raised towards it, and nothing creeps upwards).
3. step: at most max_step (a fraction) away from the current price.
Rounding to the penny rounds the floor up and the ceiling and step bounds inwards, so a rounded price
never leaves the rails. When the rails and the step cannot all hold (current price far below the floor,
floor above the ceiling), the change is rejected with the reason rather than bent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

PENNY = Decimal("0.01")
PROPOSING_TYPES = ("competitor_match", "competitor_beat", "time_based", "inventory_based")


def up(x: Decimal) -> Decimal:
    return x.quantize(PENNY, rounding=ROUND_CEILING)


def down(x: Decimal) -> Decimal:
    return x.quantize(PENNY, rounding=ROUND_FLOOR)


@dataclass(frozen=True)
class PriceRule:
    id: str
    name: str
    rule_type: str
    config: dict
    priority: int = 100


@dataclass
class ListingPriceInputs:
    listing_id: str
    current: Decimal | None
    mart_floor: Decimal | None                # fct_listing_margins.floor_price_gbp
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    buy_box_price: Decimal | None = None
    cheapest_rival: Decimal | None = None     # cheapest in-stock rival, our own ASINs excluded
    rival_prices: dict = field(default_factory=dict)   # rival ASIN -> price (in stock only)
    available_qty: int | None = None
    price_points: list = field(default_factory=list)   # [(candidate price, net_margin_pct)]
    due_time_rules: frozenset = frozenset()            # time_based rule ids whose schedule fired


@dataclass
class Proposal:
    target: Decimal
    rule: PriceRule
    why: str


@dataclass
class Decision:
    listing_id: str
    old_price: Decimal | None
    new_price: Decimal | None          # None: no change (rejected or nothing to do)
    floor: Decimal | None
    ceiling: Decimal | None
    max_step_pct: Decimal
    rule: PriceRule | None
    reason: str
    status: str                        # proposed (a change), rejected (rails forbid), unchanged

    @property
    def changes_price(self) -> bool:
        return self.new_price is not None and self.new_price != self.old_price


def margin_floor_price(points, min_margin_pct: Decimal) -> Decimal | None:
    """Lowest candidate price from which every dearer candidate meets the margin; None when none does."""
    ordered = sorted(points, key=lambda p: p[0])
    floor = None
    for price, margin in reversed(ordered):
        if margin is None or Decimal(margin) < min_margin_pct:
            break
        floor = Decimal(price)
    return floor


def propose(inputs: ListingPriceInputs, rules: list[PriceRule]) -> Proposal | None:
    """The winning proposal: the highest-priority applicable proposing rule (ties: name, then id)."""
    if inputs.current is None:
        return None
    for rule in sorted((r for r in rules if r.rule_type in PROPOSING_TYPES),
                       key=lambda r: (-r.priority, r.name, r.id)):
        found = _target(inputs, rule)
        if found is not None:
            return Proposal(found[0], rule, found[1])
    return None


def _pct(config: dict, key: str) -> Decimal:
    return Decimal(str(config.get(key, 0)))


def _target(inputs: ListingPriceInputs, rule: PriceRule) -> tuple[Decimal, str] | None:
    c = rule.config
    if rule.rule_type in ("competitor_match", "competitor_beat"):
        asin = c.get("competitor_asin")
        rival = inputs.rival_prices.get(asin) if asin else inputs.cheapest_rival
        if rival is None:
            return None
        who = f"rival {asin}" if asin else "the cheapest in-stock rival"
        beat = rule.rule_type == "competitor_beat" or c.get("match_type") == "beat"
        if beat:
            pct = _pct(c, "beat_by_pct")
            return rival * (1 - pct / 100), f"{pct}% below {who} at {rival}"
        return rival, f"match {who} at {rival}"
    if rule.rule_type == "time_based":
        if rule.id not in inputs.due_time_rules:
            return None
        pct = _pct(c, "price_change_pct")
        return inputs.current * (1 + pct / 100), f"scheduled change of {pct}% ({c.get('schedule')})"
    if rule.rule_type == "inventory_based":
        below = c.get("when_below")
        if inputs.available_qty is None or below is None or inputs.available_qty >= int(below):
            return None
        pct = _pct(c, "price_change_pct")
        return inputs.current * (1 + pct / 100), f"stock {inputs.available_qty} below {below}: change {pct}%"
    return None


def rails(inputs: ListingPriceInputs, rules: list[PriceRule]) -> tuple[Decimal | None, Decimal | None, str]:
    """(floor, ceiling, what set the floor)."""
    candidates = []
    if inputs.mart_floor is not None:
        candidates.append((Decimal(inputs.mart_floor), "margin floor (fct_listing_margins)"))
    if inputs.min_price is not None:
        candidates.append((Decimal(inputs.min_price), "your minimum price"))
    for rule in rules:
        if rule.rule_type == "margin_floor":
            floor = margin_floor_price(inputs.price_points, _pct(rule.config, "min_margin_pct"))
            if floor is None:
                return None, None, f"no candidate price meets {rule.name}"
            candidates.append((floor, rule.name))
    if inputs.mart_floor is None:
        return None, None, "floor unknown (landed cost or fulfilment cost missing)"
    floor, floor_by = max(candidates, key=lambda c: c[0])
    if inputs.max_price is not None:
        ceiling = Decimal(inputs.max_price)
    else:
        # Without the seller's maximum: never above today's or the Buy Box price, except up to the floor.
        ceiling = max(x for x in (inputs.current, inputs.buy_box_price, floor) if x is not None)
    return up(floor), down(ceiling), floor_by


def decide(inputs: ListingPriceInputs, rules: list[PriceRule], max_step: Decimal) -> Decision | None:
    """One guarded decision for a listing, or None when no proposing rule applies."""
    proposal = propose(inputs, rules)
    if proposal is None:
        return None
    current = Decimal(inputs.current)
    step_pct = (max_step * 100).quantize(PENNY)
    floor, ceiling, floor_by = rails(inputs, rules)

    def decision(new, status, reason, f=floor, c=ceiling):
        return Decision(inputs.listing_id, current, new, f, c, step_pct, proposal.rule, reason, status)

    if floor is None:
        return decision(None, "rejected", f"{proposal.why}; not changed: {floor_by}", None, None)
    if floor > ceiling:
        return decision(None, "rejected", f"{proposal.why}; not changed: floor {floor} ({floor_by}) is above "
                                          f"the ceiling {ceiling}", None, None)
    low, high = up(current * (1 - max_step)), down(current * (1 + max_step))
    lowest, highest = max(floor, low), min(ceiling, high)
    if lowest > highest:
        return decision(None, "rejected", f"{proposal.why}; not changed: the current price {current} is more than "
                                          f"one step ({step_pct}%) outside [{floor}, {ceiling}]: change it by hand")
    target = proposal.target.quantize(PENNY, rounding=ROUND_HALF_EVEN)
    new = min(max(target, lowest), highest)
    notes = []
    if target < floor:
        notes.append(f"clamped to the floor {floor} ({floor_by})")
    elif target > ceiling:
        notes.append(f"clamped to the ceiling {ceiling}")
    if target < low or target > high:
        notes.append(f"limited to a {step_pct}% step")
    reason = proposal.why + (": " + ", ".join(notes) if notes else "")
    if new == current:
        return decision(None, "unchanged", reason + f"; stays at {current}")
    return decision(new, "proposed", reason + f"; {current} -> {new}")
