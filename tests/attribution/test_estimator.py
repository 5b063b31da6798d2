"""The estimator on hand-made panels (no database): a planted effect is found, none is not claimed, overlaps are
flagged, short windows and thin listings stay inconclusive with a reason, and the inputs are kept."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from orchestration.attribution import estimate
from orchestration.attribution.panel import Panel
from orchestration.attribution.summary import sentence

START = dt.date(2026, 1, 1)
DAYS = 160
CHANGE_DAY = 100


def make_panel(conv_effect: float = 0.0, sess_effect: float = 0.0, controls: int = 12, base_sessions: float = 400.0,
               seed: int = 7) -> Panel:
    """Listing 0 is treated on CHANGE_DAY; all listings share a weekday and season pattern."""
    rng = np.random.default_rng(seed)
    n = controls + 1
    day = np.arange(DAYS)
    pattern = (1 + 0.25 * np.sin(2 * np.pi * day / 7)) * (1 + 0.3 * np.sin(2 * np.pi * day / 120))
    level = rng.uniform(0.5, 1.5, n)[:, None] * base_sessions
    after = (day >= CHANGE_DAY)[None, :] & (np.arange(n) == 0)[:, None]
    mean_sessions = level * pattern * np.where(after, 1 + sess_effect, 1.0)
    sessions = rng.poisson(mean_sessions * rng.gamma(8, 1 / 8, (n, DAYS)))
    conv = 0.08 * np.where(after, 1 + conv_effect, 1.0)
    units = rng.poisson(sessions * conv)
    price = np.full((n, DAYS), 12.99)
    return Panel([f"L{i}" for i in range(n)], [f"B{i:09d}" for i in range(n)], ["drills"] * n, START,
                 sessions.astype(float), units.astype(float), units * 12.99, np.full((n, DAYS), 0.95), price,
                 np.ones((n, DAYS), dtype=bool))


def change(key="c1", listing="L0", day=CHANGE_DAY, kind="title_update"):
    return estimate.Change(key, listing, kind, START + dt.timedelta(days=day))


def test_a_planted_conversion_lift_is_found_with_the_truth_inside_the_interval():
    [a] = estimate.analyse_changes(make_panel(conv_effect=0.30), [change()])
    conv = a.estimates["conversion"]
    assert conv.verdict == "improved"
    assert conv.ci_low <= 0.30 <= conv.ci_high
    assert 0.15 < conv.effect < 0.45
    assert conv.effect_pp == pytest.approx(100 * 0.08 * conv.effect, rel=0.2)
    assert a.estimates["units"].effect > 0
    # Sessions were not touched: no claim there.
    assert a.estimates["sessions"].verdict == "inconclusive"


def test_a_drop_in_sessions_is_called_worsened():
    [a] = estimate.analyse_changes(make_panel(sess_effect=-0.35), [change(kind="search_terms_update")])
    assert a.estimates["sessions"].verdict == "worsened"
    assert a.estimates["sessions"].ci_high < 0


def test_no_effect_is_not_claimed_across_many_null_worlds():
    claims = 0
    for seed in range(20):
        [a] = estimate.analyse_changes(make_panel(seed=seed), [change()])
        claims += a.estimates["conversion"].verdict != "inconclusive"
    assert claims <= 4  # nominal 10% of 20 is 2; a broken interval claims far more


def test_every_estimate_keeps_the_inputs_that_reproduce_it():
    panel = make_panel(conv_effect=0.3)
    [a] = estimate.analyse_changes(panel, [change()])
    inputs = a.inputs
    assert inputs["method_version"] == estimate.METHOD_VERSION
    assert inputs["control_listing_ids"] == [f"L{i}" for i in range(1, 13)]
    assert inputs["pre_window"][1] == (START + dt.timedelta(days=CHANGE_DAY - 2)).isoformat()
    assert inputs["post_window"][0] == (START + dt.timedelta(days=CHANGE_DAY + 1)).isoformat()
    [again] = estimate.analyse_changes(panel, [change()])
    assert again.estimates["conversion"].effect == a.estimates["conversion"].effect


def test_an_overlapping_change_is_flagged_and_cuts_the_window_short():
    panel = make_panel(conv_effect=0.3)
    first, second = change("c1", day=CHANGE_DAY), change("c2", day=CHANGE_DAY + 20, kind="price_change")
    a, b = estimate.analyse_changes(panel, [first, second])
    assert a.overlapping == [{"change_type": "price_change", "day": second.day.isoformat(), "same_day": False}]
    assert a.inputs["post_window"][1] == (START + dt.timedelta(days=CHANGE_DAY + 18)).isoformat()
    assert b.overlapping and b.overlapping[0]["change_type"] == "title_update"


def test_two_changes_on_the_same_day_are_never_credited_to_one():
    panel = make_panel(conv_effect=0.4)
    a, b = estimate.analyse_changes(panel, [change("c1"), change("c2", kind="bullet_update")])
    for x in (a, b):
        assert x.overlapping[0]["same_day"] is True
        assert x.estimates["conversion"].verdict == "inconclusive"
        assert "same day" in x.estimates["conversion"].reason


def test_too_short_a_window_is_inconclusive_with_the_reason():
    [a] = estimate.analyse_changes(make_panel(conv_effect=0.5), [change(day=DAYS - 8)])
    assert a.primary.verdict == "inconclusive" and a.primary.effect is None
    assert "too few clean days" in a.primary.reason


def test_a_listing_selling_almost_nothing_gets_no_estimate():
    [a] = estimate.analyse_changes(make_panel(conv_effect=0.5, base_sessions=1.0), [change()])
    assert a.estimates["units"].effect is None
    assert "too little volume" in a.estimates["units"].reason


def test_the_sentence_reads_like_the_seller_would_say_it():
    [a] = estimate.analyse_changes(make_panel(conv_effect=0.3), [change()])
    text = sentence(a, {})
    assert text.startswith("Title change on 11 Apr 2026: units sold +")
    assert "conversion +" in text and " pp (90% interval +" in text and "improved" in text
