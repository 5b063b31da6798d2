-- One row per listing that tracks at least one rival: its rivals (sorted) and a key naming that set.
-- A rival counts when the seller did not ignore it and it is not one of our own ASINs (fetched from Keepa for
-- their Buy Box and reviews). Listings of a category node tend to track the same rivals (discovery links a
-- node's best sellers to each listing of the node inside the price band): at 10,000 listings ~870,000 links
-- form ~500 distinct sets, so medians are taken once per set and day.
-- A table, analysed: the models downstream are planned on its statistics.
{{ config(materialized='table', post_hook='analyze {{ this }}') }}

with listings as (
    select * from {{ ref('stg_catalog__listings') }}
),

tracking as (
    select * from {{ ref('stg_competitors__tracking') }}
),

competitor_products as (
    select * from {{ ref('stg_competitors__products') }}
),

rivals as (
    select t.listing_id, t.competitor_id
    from tracking t
    join competitor_products p on p.competitor_id = t.competitor_id
    where t.tracking_status <> 'ignored'
      and not exists (select 1 from listings o where o.asin = p.asin and o.marketplace_id = p.marketplace_id)
),

final as (
    select
        listing_id,
        md5(string_agg(competitor_id::text, ',' order by competitor_id)) as rival_set,
        array_agg(competitor_id order by competitor_id) as rival_competitor_ids
    from rivals
    group by listing_id
)

select * from final
