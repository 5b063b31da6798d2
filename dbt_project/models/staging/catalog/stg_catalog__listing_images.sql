with source as (
    select * from {{ source('catalog', 'listing_images') }}
),

renamed as (
    select
        id as image_id,
        listing_id,
        lower(image_type) as image_slot,
        lower(image_type) = 'main' as is_main_image,
        url as image_url,
        width as width_px,
        height as height_px,
        greatest(width, height) as longest_side_px,
        background_type,
        sort_order,
        updated_at
    from source
)

select * from renamed
