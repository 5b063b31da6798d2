-- Current price and the margin-floor price (landed cost + fees + margin floor, dbt's lowest_price_for_net_margin).
select listing_id::text, current_price_gbp, floor_price_gbp
from marts.fct_listing_margins
