-- Each version of a listing's content with the time it went live and the time the next one replaced it.
with listing_versions as (
    select * from {{ ref('stg_catalog__listing_versions') }}
),

listings as (
    select * from {{ ref('stg_catalog__listings') }}
),

ordered as (
    select
        listing_id,
        version_number as content_version_number,
        title,
        bullet_points,
        description,
        search_terms,
        versioned_at,
        row_number() over (partition by listing_id order by versioned_at, version_number) as version_order,
        lead(versioned_at) over (partition by listing_id order by versioned_at, version_number) as live_until
    from listing_versions
),

versioned as (
    select
        listing_id,
        content_version_number,
        title,
        bullet_points,
        description,
        search_terms,
        -- Before its first recorded version a listing is scored on that first version: the earliest
        -- content known (identical to the current content while a listing has one version).
        case when version_order > 1 then versioned_at end as live_from,
        live_until
    from ordered
),

-- A listing never versioned is scored on its current content for every day (version number 0).
unversioned as (
    select
        listing_id,
        0 as content_version_number,
        title,
        bullet_points,
        description,
        search_terms,
        null::timestamptz as live_from,
        null::timestamptz as live_until
    from listings
    where not exists (select 1 from listing_versions v where v.listing_id = listings.listing_id)
),

final as (
    select *, live_until is null as is_live_version from versioned
    union all
    select *, true as is_live_version from unversioned
)

select * from final
