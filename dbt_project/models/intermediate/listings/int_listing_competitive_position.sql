{{
    config(
        materialized='incremental',
        unique_key=['listing_id', 'score_date'],
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['score_date']}]
    )
}}
-- Per listing and day: Buy Box share, our price, the Buy Box price, the tracked rivals' median price and our
-- own rating and reviews, each the latest known at the end of that day (UTC); NULL where no history reaches
-- back that far. A table filtered to the run's window. Each "latest known" series is set-based
-- (macro latest_per_day) and joined by listing and day.
with score_days as (
    select * from {{ ref('int_listing_score_days') }}
    {% if is_incremental() -%}
    where score_date between '{{ var("min_date") }}' and '{{ var("max_date") }}'
    {%- endif %}
),

-- The days actually scored in this run (a window's bounds may be wide open, e.g. 1970-01-01).
window_bounds as (
    select min(score_date) as first_day, max(score_date) as last_day from score_days
),

rival_prices as (
    select * from {{ ref('int_listing_rival_prices') }}
    {% if is_incremental() -%}
    where score_date between '{{ var("min_date") }}' and '{{ var("max_date") }}'
    {%- endif %}
),

listings as (
    select * from {{ ref('stg_catalog__listings') }}
),

performance_metrics as (
    select * from {{ ref('stg_analytics__performance_metrics') }}
),

competitive_pricing as (
    select * from {{ ref('stg_sp_api__competitive_pricing') }}
),

competitor_products as (
    select * from {{ ref('stg_competitors__products') }}
),

-- Our own ASINs in the Keepa tables (is_own_asin) carry our star rating and review count.
own_products as (
    select l.listing_id, own.competitor_id
    from listings l
    join competitor_products own on own.asin = l.asin and own.marketplace_id = l.marketplace_id
),

{%- set first_day = '(select first_day from window_bounds)' %}
{%- set last_day = '(select last_day from window_bounds)' %}

our_prices as {{ latest_per_day(ref('stg_pricing__price_history'), 'listing_id', 'priced_at',
    {'price_gbp': 'coalesce(src.sale_price_gbp, src.price_gbp)'}, 'listings', first_day, last_day) }},

buy_box_flags as {{ latest_per_day(ref('stg_pricing__price_history'), 'listing_id', 'priced_at',
    {'holds_buy_box': 'src.has_buy_box'}, 'listings', first_day, last_day, 'src.has_buy_box is not null') }},

buy_box_prices as {{ latest_per_day(ref('stg_pricing__price_history'), 'listing_id', 'priced_at',
    {'buy_box_price_gbp': 'src.buy_box_price_gbp'}, 'listings', first_day, last_day,
    'src.buy_box_price_gbp is not null') }},

own_ratings as {{ latest_per_day(ref('stg_competitors__price_history'), 'competitor_id', 'observed_at',
    {'rating': 'src.rating'}, 'own_products', first_day, last_day, 'src.rating is not null') }},

own_reviews as {{ latest_per_day(ref('stg_competitors__price_history'), 'competitor_id', 'observed_at',
    {'review_count': 'src.review_count'}, 'own_products', first_day, last_day, 'src.review_count is not null') }},

final as (
    select
        d.listing_id,
        d.score_date,
        d.content_version_number,
        coalesce(m.buy_box_pct, case held.holds_buy_box when true then 100 when false then 0 end) as buy_box_share_pct,
        case when m.buy_box_pct is not null then 'sales and traffic report' else held.observed_by end as buy_box_source,
        coalesce(our_price.price_gbp, round(m.ordered_product_sales_gbp / nullif(m.units_ordered, 0), 2)) as our_price_gbp,
        case when our_price.price_gbp is not null then 'price record' when m.units_ordered > 0 then 'average selling price' end
            as our_price_source,
        held.buy_box_price_gbp,
        r.rival_count,
        r.rival_median_price_gbp,
        own_rating.rating,
        own_review.review_count
    from score_days d
    join listings l on l.listing_id = d.listing_id
    left join performance_metrics m on m.listing_id = d.listing_id and m.metric_date = d.score_date
    left join rival_prices r on r.listing_id = d.listing_id and r.score_date = d.score_date
    left join our_prices our_price on our_price.entity_key = d.listing_id and our_price.as_of_date = d.score_date
    left join competitive_pricing snapshot
        on snapshot.asin = l.asin and snapshot.fetched_at < {{ utc_day_end('d.score_date') }}
    left join buy_box_flags flag on flag.entity_key = d.listing_id and flag.as_of_date = d.score_date
    left join buy_box_prices bb_record on bb_record.entity_key = d.listing_id and bb_record.as_of_date = d.score_date
    -- Whichever is newer: our price record's Buy Box flag or Amazon's competitive pricing answer.
    cross join lateral (
        select
            case when snapshot.we_hold_buy_box is not null
                      and (flag.observed_at is null or snapshot.fetched_at > flag.observed_at)
                 then snapshot.we_hold_buy_box else flag.holds_buy_box end as holds_buy_box,
            case when snapshot.we_hold_buy_box is not null
                      and (flag.observed_at is null or snapshot.fetched_at > flag.observed_at)
                 then 'competitive pricing'
                 when flag.holds_buy_box is not null then 'price record' end as observed_by,
            case when snapshot.buy_box_landed_price_gbp is not null
                      and (bb_record.observed_at is null or snapshot.fetched_at > bb_record.observed_at)
                 then snapshot.buy_box_landed_price_gbp else bb_record.buy_box_price_gbp end as buy_box_price_gbp
    ) held
    left join own_products own on own.listing_id = d.listing_id
    left join own_ratings own_rating on own_rating.entity_key = own.competitor_id and own_rating.as_of_date = d.score_date
    left join own_reviews own_review on own_review.entity_key = own.competitor_id and own_review.as_of_date = d.score_date
)

select * from final
