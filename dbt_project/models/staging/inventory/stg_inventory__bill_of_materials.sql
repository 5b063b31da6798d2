with source as (
    select * from {{ source('inventory', 'bill_of_materials') }}
),

renamed as (
    select
        id as bom_line_id,
        listing_id,
        component_id,
        quantity as quantity_per_unit,
        cost_override as cost_override_gbp,
        updated_at
    from source
)

select * from renamed
