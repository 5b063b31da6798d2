with source as (
    select * from {{ source('inventory', 'stock') }}
),

renamed as (
    select
        id as stock_id,
        listing_id,
        fulfillment_channel,
        location,
        fulfillable_qty,
        inbound_working_qty + inbound_shipped_qty + inbound_receiving_qty as inbound_qty,
        reserved_qty,
        unfulfillable_qty,
        reorder_point,
        safety_stock,
        as_of as counted_at,
        updated_at
    from source
)

select * from renamed
