with source as (
    select * from {{ source('pricing', 'price_history') }}
),

renamed as (
    select
        listing_id,
        time as priced_at,
        price as price_gbp,
        sale_price as sale_price_gbp,
        buy_box_price as buy_box_price_gbp,
        has_buy_box,
        source as price_source
    from source
)

select * from renamed
