-- Net margin at each candidate price (dbt's listing_margin macro) and whether the candidate keeps the margin
-- floor and the seller's min/max price. A NULL net margin (cost unknown) is never allowed.
select listing_id::text, candidate_price_gbp, net_margin_gbp,
       coalesce(meets_margin_floor and is_within_seller_limits, false) as allowed
from marts.fct_listing_price_points
order by listing_id, candidate_price_gbp
