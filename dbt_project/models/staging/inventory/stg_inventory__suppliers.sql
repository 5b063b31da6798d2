with source as (
    select * from {{ source('inventory', 'suppliers') }}
),

renamed as (
    select
        id as supplier_id,
        name as supplier_name,
        code as supplier_code,
        country as supplier_country,
        is_domestic,
        lead_time_days,
        is_active,
        updated_at
    from source
)

select * from renamed
