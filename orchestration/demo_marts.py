"""The demo report's second half: what dbt derived (scores, landed costs, margins, threat) and the top fixes."""

from __future__ import annotations


def _one(conn, sql: str):
    return conn.execute(sql).fetchone()


def marts_summary(conn) -> list[str]:
    listings = _one(conn, "SELECT count(*) FROM catalog.listings")[0]
    scored, average, lowest, days, version = _one(conn, """
        SELECT count(*) FILTER (WHERE current_score IS NOT NULL), round(avg(current_score), 1), min(current_score),
               (SELECT count(DISTINCT time) FROM analytics.listing_scores),
               (SELECT string_agg(DISTINCT scoring_version, ', ') FROM analytics.listing_scores)
        FROM catalog.listings""")
    costed, unpriced, no_bom = _one(conn, """
        SELECT count(*) FILTER (WHERE landed_cost_is_complete),
               count(*) FILTER (WHERE NOT landed_cost_is_complete AND cost_basis = 'bom'),
               count(*) FILTER (WHERE cost_basis = 'no_bom')
        FROM marts.fct_listing_landed_costs""")
    with_margin, median_margin, below_floor = _one(conn, """
        SELECT count(*) FILTER (WHERE net_margin IS NOT NULL),
               round(percentile_cont(0.5) WITHIN GROUP (ORDER BY net_margin_pct)::numeric, 1),
               (SELECT count(*) FROM marts.fct_listing_margins WHERE meets_margin_floor IS FALSE)
        FROM pricing.current_prices""")
    threat, high = _one(conn, """
        SELECT count(*) FILTER (WHERE threat_score IS NOT NULL),
               (SELECT count(*) FROM marts.fct_competitor_threat WHERE threat_level = 'high')
        FROM competitors.products""")
    lines = [
        f"listing scores:      {scored} of {listings} listings scored over {days} days (scoring version {version}); "
        f"average {average}, lowest {lowest}",
        f"landed costs:        {costed} listings costed"
        + (f"; {unpriced} incomplete (a component without a valid supplier price)" if unpriced else "")
        + (f"; {no_bom} without a bill of materials (e.g. variation parents)" if no_bom else ""),
        f"margins:             {with_margin} listings with a net margin at the current price, median {median_margin} % "
        f"of the price ex VAT; {below_floor} below their margin floor",
        f"competitor threat:   {threat} competitors scored, {high} high",
    ]
    fixes = conn.execute(
        "SELECT seller_fix_rank, fix_summary FROM marts.fct_listing_top_fixes WHERE seller_fix_rank <= 10 "
        "ORDER BY seller_fix_rank").fetchall()
    lines.append("top 10 fixes (points gained x last 28 days' sales):" if fixes else "top 10 fixes:        none found")
    lines += [f"  {rank:>2}. {summary}" for rank, summary in fixes]
    return lines
