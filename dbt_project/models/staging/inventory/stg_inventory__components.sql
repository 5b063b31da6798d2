with source as (
    select * from {{ source('inventory', 'components') }}
),

renamed as (
    select
        id as component_id,
        name as component_name,
        sku as component_sku,
        component_type,
        default_supplier_id,
        stock_quantity,
        reorder_quantity as usual_order_quantity,
        unit_of_measure,
        updated_at
    from source
)

select * from renamed
