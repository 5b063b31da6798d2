-- One row per rival product: its threat signals against all the listings it is tracked for (price gap averaged
-- over them, Buy Box share as time taken over time observed on their ASINs, our rating averaged), with its own
-- rank, review and rating signals. A rival tracked for no listing keeps the signals that need no listing.
with products as (
    select * from {{ ref('stg_competitors__products') }}
),

own_products as (
    select * from {{ ref('int_listing_own_products_matched') }}
),

trends as (
    select * from {{ ref('int_competitor_trends_computed') }}
),

pairs as (
    select * from {{ ref('int_listing_competitor_signals_joined') }}
),

rivals as (
    select competitor_id
    from products
    where competitor_id not in (select own_product_id from own_products)
),

per_rival as (
    select
        competitor_id,
        count(*) as tracked_listing_count,
        round(avg(our_price_gbp), 2) as our_price_gbp,
        round(avg(undercut_pct), 2) as undercut_pct,
        sum(buy_box_seconds_observed) as buy_box_seconds_observed,
        sum(buy_box_seconds_taken) as buy_box_seconds_taken,
        round(avg(our_rating), 2) as our_rating
    from pairs
    group by competitor_id
),

final as (
    select
        rivals.competitor_id,
        coalesce(per_rival.tracked_listing_count, 0) as tracked_listing_count,
        per_rival.our_price_gbp,
        trends.offer_price_gbp as rival_price_gbp,
        trends.is_out_of_stock as rival_is_out_of_stock,
        per_rival.undercut_pct,
        per_rival.buy_box_seconds_observed,
        per_rival.buy_box_seconds_taken,
        round(100 * per_rival.buy_box_seconds_taken / nullif(per_rival.buy_box_seconds_observed, 0), 2)
            as buy_box_share_taken_pct,
        trends.average_rank_recent,
        trends.average_rank_prior,
        trends.rank_improvement_pct,
        trends.reviews_gained,
        trends.rating as rival_rating,
        per_rival.our_rating
    from rivals
    left join per_rival on per_rival.competitor_id = rivals.competitor_id
    left join trends on trends.competitor_id = rivals.competitor_id
)

select * from final
