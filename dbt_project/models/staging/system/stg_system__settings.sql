with source as (
    select * from {{ source('system', 'settings') }}
),

renamed as (
    select
        key::text as setting_key,
        value as setting_value,
        description as setting_description,
        updated_at
    from source
)

select * from renamed
