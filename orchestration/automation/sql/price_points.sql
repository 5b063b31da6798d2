-- Candidate prices and their net margins (dbt's fct_listing_price_points, same fee logic as the margins)
-- for margin_floor price rules: the lowest candidate meeting a rule's margin is its floor.
select listing_id, candidate_price_gbp, net_margin_pct
from {fct_listing_price_points} as points
where listing_id = any(%(listing_ids)s::uuid[])
