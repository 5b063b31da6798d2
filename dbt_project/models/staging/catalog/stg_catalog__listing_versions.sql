with source as (
    select * from {{ source('catalog', 'listing_versions') }}
),

renamed as (
    select
        id as version_id,
        listing_id,
        version_number,
        title,
        bullet_points,
        description,
        search_terms,
        content_hash,
        change_type,
        change_source,
        change_reason,
        created_at as versioned_at
    from source
)

select * from renamed
