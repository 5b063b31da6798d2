"""The demo report's lines on forecasts, reorders and price suggestions, read back from the tables."""

from __future__ import annotations

import psycopg


def demo_summary(conn: psycopg.Connection) -> list[str]:
    lines = []
    origin, listings, days, expected = conn.execute("""
        SELECT max(forecast_date), count(DISTINCT listing_id), count(DISTINCT target_date),
               round(sum(units_mean) FILTER (WHERE target_date <= forecast_date + 28))
        FROM inventory.forecasts
        WHERE forecast_date = (SELECT max(forecast_date) FROM inventory.forecasts)""").fetchone()
    if origin is None:
        return ["demand forecasts:    none yet (run `listing-helper forecast`)"]
    lines.append(f"demand forecasts:    {listings} listings x {days} days from {origin}; "
                 f"{expected or 0:,.0f} units expected in the next 28 days")
    now, running_out, total = conn.execute("""
        SELECT count(*) FILTER (WHERE reorder_now), count(stockout_date), count(*)
        FROM inventory.reorder_suggestions WHERE forecast_date = %s""", (origin,)).fetchone()
    lines.append(f"reorders:            {now} of {total} stocked listings to reorder now; "
                 f"{running_out} expected to run out within the forecast")
    for sku, message in conn.execute("""
            SELECT l.sku, r.message FROM inventory.reorder_suggestions r JOIN catalog.listings l ON l.id = r.listing_id
            WHERE r.forecast_date = %s AND r.reorder_now
            ORDER BY r.stockout_date NULLS LAST, l.sku LIMIT 3""", (origin,)).fetchall():
        lines.append(f"  {sku}: {message}")
    day = conn.execute("SELECT max(suggested_on) FROM pricing.price_suggestions").fetchone()[0]
    if day is None:
        return lines + ["price suggestions:   none yet (run `listing-helper prices suggest`)"]
    counts = dict(conn.execute("SELECT status, count(*) FROM pricing.price_suggestions WHERE suggested_on = %s "
                               "GROUP BY 1", (day,)).fetchall())
    raise_, lower, keep, confidence = conn.execute("""
        SELECT count(*) FILTER (WHERE optimal_price > current_price * 1.005),
               count(*) FILTER (WHERE optimal_price < current_price * 0.995),
               count(*) FILTER (WHERE optimal_price BETWEEN current_price * 0.995 AND current_price * 1.005),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY confidence_pct)
        FROM pricing.price_suggestions WHERE suggested_on = %s AND status = 'suggested'""", (day,)).fetchone()
    words = {"not_enough_price_variation": "not enough price variation", "not_enough_sales": "too few sales",
             "margin_unknown": "margin unknown", "no_price_within_guard_rails": "no price within the guard rails"}
    others = ", ".join(f"{counts[k]} {w}" for k, w in words.items() if counts.get(k))
    lines.append(f"price suggestions:   {counts.get('suggested', 0)} priced ({raise_} raise, {lower} lower, {keep} keep; "
                 f"median confidence {confidence or 0:.0f} %)" + (f"; {others}" if others else ""))
    for sku, message in conn.execute("""
            SELECT l.sku, s.message FROM pricing.price_suggestions s JOIN catalog.listings l ON l.id = s.listing_id
            WHERE s.suggested_on = %s AND s.status = 'suggested' AND s.confidence_pct >= 50
            ORDER BY s.profit_per_day_at_optimal - s.profit_per_day_now DESC NULLS LAST, l.sku LIMIT 3""",
            (day,)).fetchall():
        lines.append(f"  {sku}: {message}")
    return lines
