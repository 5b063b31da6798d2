with source as (
    select * from {{ source('pricing', 'current_prices') }}
),

renamed as (
    select
        listing_id,
        price as price_gbp,
        currency,
        sale_price as sale_price_gbp,
        sale_start_date,
        sale_end_date,
        referral_fee as referral_fee_estimate_gbp,
        fba_fee as fba_fee_estimate_gbp,
        min_price as min_price_gbp,
        max_price as max_price_gbp,
        margin_floor_pct,
        updated_at
    from source
)

select * from renamed
