-- One row per listing: who it is, in the seller's words, for BI tools joining the facts by listing_id (the
-- read-only role sees the marts, not the catalog schema).
with listings as (
    select * from {{ ref('stg_catalog__listings') }}
),

final as (
    select
        listing_id,
        sku::text as sku,
        asin::text as asin,
        marketplace_id::text as marketplace_id,
        parent_asin::text as parent_asin,
        title::text as title,
        brand::text as brand,
        listing_status::text as listing_status,
        fulfillment_channel::text as fulfillment_channel,
        custom_category::text as custom_category,
        product_group::text as product_group,
        lifecycle_stage::text as lifecycle_stage,
        tags::text[] as tags,
        created_at as first_seen_at
    from listings
)

select * from final
