with source as (
    select * from {{ source('competitors', 'tracking') }}
),

renamed as (
    select
        id as tracking_id,
        competitor_id,
        listing_id,
        reason as tracking_reason,
        reason_detail,
        relevance_score,
        status as tracking_status,
        first_seen_at,
        last_seen_at
    from source
)

select * from renamed
