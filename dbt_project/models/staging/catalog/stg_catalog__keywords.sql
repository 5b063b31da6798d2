with source as (
    select * from {{ source('catalog', 'keywords') }}
),

renamed as (
    select
        id as keyword_id,
        listing_id,
        keyword,
        keyword_normalized,
        source as keyword_source,
        search_volume,
        organic_rank,
        sponsored_rank,
        is_primary,
        is_tracked,
        last_updated as keyword_updated_at
    from source
)

select * from renamed
