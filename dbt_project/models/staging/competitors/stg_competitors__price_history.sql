with source as (
    select * from {{ source('competitors', 'price_history') }}
),

renamed as (
    select
        competitor_id,
        time as observed_at,
        -- Keepa sends integer pence; pounds here, exact (numeric division).
        new_price_pence / 100.0 as new_price_gbp,
        new_fba_price_pence / 100.0 as new_fba_price_gbp,
        amazon_price_pence / 100.0 as amazon_price_gbp,
        (buy_box_price_pence + coalesce(buy_box_shipping_pence, 0)) / 100.0 as buy_box_landed_price_gbp,
        buy_box_seller_id,
        bsr,
        new_offer_count,
        rating,
        review_count,
        new_out_of_stock,
        amazon_out_of_stock,
        buy_box_out_of_stock,
        source as history_source
    from source
)

select * from renamed
