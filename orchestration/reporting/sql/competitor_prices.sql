-- Our price against our most threatening rival's, for the most threatened listings.
select sku, our_price_gbp::float8, rival_price_gbp::float8, rival_asin, threat_score::float8
from marts.fct_listing_competitor_threat
where is_top_threat_for_listing and our_price_gbp is not null and rival_price_gbp is not null
order by threat_score desc nulls last, sku
limit %(limit)s
