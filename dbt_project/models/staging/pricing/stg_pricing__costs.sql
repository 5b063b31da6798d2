with source as (
    select * from {{ source('pricing', 'costs') }}
),

renamed as (
    select
        id as cost_id,
        listing_id,
        cost_type,
        amount_per_unit as amount_per_unit_gbp,
        valid_from,
        notes,
        updated_at
    from source
)

select * from renamed
