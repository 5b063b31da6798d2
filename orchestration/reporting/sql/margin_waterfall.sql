-- Where the average listing's price goes, at current prices, over listings whose margin is complete.
select count(*) as listings,
       avg(current_price_gbp)::float8 as price,
       avg(output_vat_gbp)::float8 as vat,
       avg(referral_fee_gbp)::float8 as referral_fee,
       avg(fulfilment_cost_gbp)::float8 as fulfilment,
       avg(landed_cost_gbp)::float8 as landed_cost,
       avg(net_margin_gbp)::float8 as net_margin
from marts.fct_listing_margins
where margin_is_complete
