with source as (
    select * from {{ source('catalog', 'listings') }}
),

renamed as (
    select
        id as listing_id,
        marketplace_id,
        sku,
        asin,
        parent_asin,
        fnsku,
        title,
        brand,
        bullet_points,
        description,
        search_terms,
        aplus_enabled,
        status as listing_status,
        fulfillment_channel,
        category_path,
        browse_node_id,
        product_group,
        custom_category,
        variation_theme,
        tags,
        lifecycle_stage,
        last_synced_at,
        created_at,
        updated_at
    from source
)

select * from renamed
