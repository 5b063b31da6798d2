-- Our own ASINs as Keepa products: one row per listing whose ASIN (same marketplace) is also fetched from Keepa,
-- for its Buy Box seller history and our rating. Matched on the catalogue, so it works with or without the
-- ingestion's is_own_asin flag.
with listings as (
    select * from {{ ref('stg_catalog__listings') }}
),

products as (
    select * from {{ ref('stg_competitors__products') }}
),

final as (
    select
        listings.listing_id,
        products.competitor_id as own_product_id
    from listings
    inner join products
        on products.asin = listings.asin
        and products.marketplace_id = listings.marketplace_id
)

select * from final
