-- The Buy Box price per listing while a rival holds it (the latest getCompetitivePricing answer, dbt staging):
-- the price our offer is expected to have to match to win it back, when Amazon's expected price is not known.
select l.id::text, c.buy_box_landed_price_gbp
from catalog.listings l
join staging.stg_sp_api__competitive_pricing c on c.asin = l.asin
where c.we_hold_buy_box is false and c.buy_box_landed_price_gbp is not null
