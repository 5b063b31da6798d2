"""No automated price outside [floor, ceiling] or beyond one step, and no loop between our own rules."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from orchestration.automation import guard_rails as gr

money = st.decimals(min_value=Decimal("1.00"), max_value=Decimal("500.00"), places=2)
pct = st.decimals(min_value=Decimal("-30"), max_value=Decimal("30"), places=1)


@st.composite
def price_rules(draw):
    kind = draw(st.sampled_from(["competitor_match", "competitor_beat", "time_based", "inventory_based",
                                 "margin_floor"]))
    config = {
        "competitor_match": lambda: {},
        "competitor_beat": lambda: {"beat_by_pct": float(draw(st.decimals(min_value=0, max_value=20, places=1)))},
        "time_based": lambda: {"schedule": "0 9 * * 1", "price_change_pct": float(draw(pct))},
        "inventory_based": lambda: {"when_below": draw(st.integers(0, 50)), "price_change_pct": float(draw(pct))},
        "margin_floor": lambda: {"min_margin_pct": draw(st.integers(-10, 40))},
    }[kind]()
    return gr.PriceRule(id=draw(st.uuids()).hex, name=draw(st.text("abc", min_size=1, max_size=3)), rule_type=kind,
                        config=config, priority=draw(st.integers(1, 5)))


@st.composite
def listing(draw):
    current = draw(money)
    return gr.ListingPriceInputs(
        listing_id="L", current=current,
        mart_floor=draw(st.one_of(st.none(), money)),
        min_price=draw(st.one_of(st.none(), money)),
        max_price=draw(st.one_of(st.none(), money)),
        buy_box_price=draw(st.one_of(st.none(), money)),
        cheapest_rival=draw(st.one_of(st.none(), money)),
        available_qty=draw(st.one_of(st.none(), st.integers(0, 100))),
    )


def _points(inputs):
    # margins rising with price around the current price, like fct_listing_price_points
    return [((inputs.current * (100 + p) / 100).quantize(gr.PENNY), Decimal(10 + p)) for p in range(-20, 21)]


@settings(max_examples=400, deadline=None)
@given(listing(), st.lists(price_rules(), max_size=5), st.decimals(min_value=Decimal("0.01"), max_value=Decimal("0.25"),
                                                                  places=2))
def test_a_decided_price_is_never_outside_the_rails_nor_more_than_one_step(inputs, rules, max_step):
    inputs.price_points = _points(inputs)
    inputs.due_time_rules = frozenset(r.id for r in rules)
    decision = gr.decide(inputs, rules, max_step)
    if decision is None or decision.new_price is None:
        return
    assert decision.floor <= decision.new_price <= decision.ceiling
    assert abs(decision.new_price - inputs.current) <= inputs.current * max_step
    assert decision.new_price == decision.new_price.quantize(gr.PENNY)
    # the floor is never below what dbt says the margin floor needs, nor the seller's minimum
    assert decision.floor >= inputs.mart_floor and (inputs.min_price is None or decision.floor >= inputs.min_price)
    if inputs.max_price is not None:
        assert decision.new_price <= inputs.max_price


@settings(max_examples=200, deadline=None)
@given(listing(), st.lists(price_rules(), min_size=1, max_size=5),
       st.decimals(min_value=Decimal("0.01"), max_value=Decimal("0.10"), places=2))
def test_repeated_ticks_move_the_price_one_way_only_and_stay_in_the_rails(inputs, rules, max_step):
    """Our rules never push each other back and forth: with the market unchanged, tick after tick (each a new
    window, time-based rules due every time) the price moves monotonically and stays inside the rails."""
    prices = [inputs.current]
    for _ in range(30):
        inputs.price_points = _points(inputs)
        inputs.due_time_rules = frozenset(r.id for r in rules)
        decision = gr.decide(inputs, rules, max_step)
        if decision is None or decision.new_price is None:
            break
        assert decision.floor <= decision.new_price <= decision.ceiling
        inputs.current = decision.new_price
        prices.append(inputs.current)
    steps = [b - a for a, b in zip(prices, prices[1:])]
    assert all(s > 0 for s in steps) or all(s < 0 for s in steps), prices


def test_a_proposal_below_the_floor_is_clamped_to_it_and_says_so():
    inputs = gr.ListingPriceInputs("L", current=Decimal("10.00"), mart_floor=Decimal("9.80"),
                                   cheapest_rival=Decimal("8.00"))
    decision = gr.decide(inputs, [gr.PriceRule("r", "beat", "competitor_beat", {"beat_by_pct": 1})], Decimal("0.05"))
    assert decision.new_price == Decimal("9.80") and decision.status == "proposed"
    assert "clamped to the floor 9.80 (margin floor (fct_listing_margins))" in decision.reason


def test_a_current_price_more_than_a_step_below_the_floor_is_not_bent_but_refused():
    inputs = gr.ListingPriceInputs("L", current=Decimal("10.00"), mart_floor=Decimal("12.00"),
                                   cheapest_rival=Decimal("11.00"))
    decision = gr.decide(inputs, [gr.PriceRule("r", "match", "competitor_match", {})], Decimal("0.05"))
    assert decision.new_price is None and decision.status == "rejected"
    assert "more than one step" in decision.reason


def test_no_known_floor_means_no_automated_change():
    inputs = gr.ListingPriceInputs("L", current=Decimal("10.00"), mart_floor=None, cheapest_rival=Decimal("9.00"))
    decision = gr.decide(inputs, [gr.PriceRule("r", "match", "competitor_match", {})], Decimal("0.05"))
    assert decision.status == "rejected" and "floor unknown" in decision.reason


def test_the_highest_priority_rule_wins_and_a_margin_floor_rule_raises_the_floor():
    inputs = gr.ListingPriceInputs("L", current=Decimal("10.00"), mart_floor=Decimal("5.00"),
                                   cheapest_rival=Decimal("9.00"), available_qty=2)
    inputs.price_points = [(Decimal("9.50"), Decimal("18")), (Decimal("9.70"), Decimal("20")),
                           (Decimal("10.00"), Decimal("22"))]
    rules = [gr.PriceRule("a", "match", "competitor_match", {}, priority=10),
             gr.PriceRule("b", "scarce", "inventory_based", {"when_below": 5, "price_change_pct": 3}, priority=50),
             gr.PriceRule("c", "20% margin", "margin_floor", {"min_margin_pct": 20}, priority=1)]
    decision = gr.decide(inputs, rules, Decimal("0.05"))
    # no max price: the ceiling is the current price, so the scarce-stock rise has nowhere to go
    assert decision.rule.name == "scarce" and decision.status == "unchanged" and decision.new_price is None
    assert "clamped to the ceiling 10.00" in decision.reason
    rules[1] = gr.PriceRule("b", "scarce", "inventory_based", {"when_below": 1, "price_change_pct": 3}, priority=50)
    decision = gr.decide(inputs, rules, Decimal("0.05"))
    assert decision.rule.name == "match" and decision.floor == Decimal("9.70") and decision.new_price == Decimal("9.70")
