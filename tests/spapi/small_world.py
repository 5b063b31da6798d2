"""The small sandbox seller the SP-API fetch tests share."""

import datetime as dt

from orchestration.sandbox import build_world

END = dt.date(2026, 6, 30)


def small_world(end_date: dt.date = END):
    return build_world(seed=7, listing_count=30, days=60, end_date=end_date)


def a_day_with_a_suppressed_listing() -> dt.date:
    """The small world has no suppression on END itself; the suppressed-listings report needs one."""
    for back in range(120):
        day = END - dt.timedelta(days=back)
        world = small_world(day)
        if any(world.suppression(x.idx) for x in world.listings):
            return day
    raise AssertionError("no suppression planted in the small world")
