with source as (
    select * from {{ source('competitors', 'products') }}
),

renamed as (
    select
        id as competitor_id,
        asin,
        marketplace_id,
        title,
        brand,
        seller_name,
        seller_id,
        category_path,
        current_price as current_price_gbp,
        current_bsr,
        review_count,
        rating,
        buy_box_price as buy_box_price_gbp,
        buy_box_seller,
        is_amazon_seller,
        tracking_priority,
        tracked_for_listings,
        last_synced_at,
        updated_at
    from source
)

select * from renamed
