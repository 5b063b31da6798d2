with source as (
    select * from {{ source('inventory', 'component_prices') }}
),

renamed as (
    select
        id as component_price_id,
        component_id,
        supplier_id,
        unit_cost,
        currency,
        -- A GBP price needs no rate; any other currency carries the rate the seller paid.
        case when currency = 'GBP' then 1.0 else fx_rate_to_gbp end as fx_rate_to_gbp,
        min_quantity,
        valid_from,
        valid_to,
        import_duty_pct,
        shipping_cost as freight_per_consignment,
        shipping_units as units_per_consignment,
        is_current,
        created_at
    from source
)

select * from renamed
