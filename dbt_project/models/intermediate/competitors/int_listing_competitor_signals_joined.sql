-- One row per listing and the rival tracked for it (links the seller ignored are left out): the raw threat
-- signals of that rival against that listing. Our own ASINs are never rivals.
-- A table, not a view: read twice (as pairs and aggregated per rival) and ~10^6 rows at 10,000 listings.
-- Analysed right away: a fresh table has no statistics and the marts' joins would be planned for one row.
{{ config(materialized='table', post_hook='analyze {{ this }}') }}

with tracking as (
    select * from {{ ref('stg_competitors__tracking') }}
),

current_prices as (
    select * from {{ ref('stg_pricing__current_prices') }}
),

trends as (
    select * from {{ ref('int_competitor_trends_computed') }}
),

own_products as (
    select * from {{ ref('int_listing_own_products_matched') }}
),

sellers as (
    select * from {{ ref('int_competitor_sellers_listed') }}
),

buy_box_holders as (
    select * from {{ ref('int_listing_buy_box_holders_summarized') }}
),

links as (
    select distinct tracking.listing_id, tracking.competitor_id
    from tracking
    where tracking.tracking_status <> 'ignored'
      and tracking.competitor_id not in (select own_product_id from own_products)
),

buy_box_observed as (
    select distinct listing_id, seconds_observed
    from buy_box_holders
),

buy_box_taken as (
    select links.listing_id, links.competitor_id, sum(buy_box_holders.seconds_held) as seconds_taken
    from links
    inner join sellers on sellers.competitor_id = links.competitor_id
    inner join buy_box_holders
        on buy_box_holders.listing_id = links.listing_id
        and buy_box_holders.seller_id = sellers.seller_id
    group by links.listing_id, links.competitor_id
),

final as (
    select
        links.listing_id,
        links.competitor_id,
        current_prices.price_gbp as our_price_gbp,
        rival_trends.offer_price_gbp as rival_price_gbp,
        rival_trends.is_out_of_stock as rival_is_out_of_stock,
        round(100 * (current_prices.price_gbp - rival_trends.offer_price_gbp) / nullif(current_prices.price_gbp, 0), 2)
            as undercut_pct,
        buy_box_observed.seconds_observed as buy_box_seconds_observed,
        case when buy_box_observed.seconds_observed is not null
            then coalesce(buy_box_taken.seconds_taken, 0)
        end as buy_box_seconds_taken,
        round(100 * coalesce(buy_box_taken.seconds_taken, 0) / nullif(buy_box_observed.seconds_observed, 0), 2)
            as buy_box_share_taken_pct,
        rival_trends.average_rank_recent,
        rival_trends.average_rank_prior,
        rival_trends.rank_improvement_pct,
        rival_trends.reviews_gained,
        rival_trends.rating as rival_rating,
        our_trends.rating as our_rating
    from links
    left join current_prices on current_prices.listing_id = links.listing_id
    inner join trends as rival_trends on rival_trends.competitor_id = links.competitor_id
    left join own_products on own_products.listing_id = links.listing_id
    left join trends as our_trends on our_trends.competitor_id = own_products.own_product_id
    left join buy_box_observed on buy_box_observed.listing_id = links.listing_id
    left join buy_box_taken
        on buy_box_taken.listing_id = links.listing_id
        and buy_box_taken.competitor_id = links.competitor_id
)

select * from final
