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
-- back that far. A table filtered to the run's window, so one day's run looks up one day.
with score_days as (
    select * from {{ ref('int_listing_score_days') }}
    {% if is_incremental() -%}
    where score_date between '{{ var("min_date") }}' and '{{ var("max_date") }}'
    {%- endif %}
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

-- Read by several look-ups: NOT MATERIALIZED keeps each look-up on the table's (id, time) index.
price_history as not materialized (
    select * from {{ ref('stg_pricing__price_history') }}
),

competitive_pricing as (
    select * from {{ ref('stg_sp_api__competitive_pricing') }}
),

competitor_products as (
    select * from {{ ref('stg_competitors__products') }}
),

competitor_history as not materialized (
    select * from {{ ref('stg_competitors__price_history') }}
),

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
        buy_box.buy_box_price_gbp,
        r.rival_count,
        r.rival_median_price_gbp,
        own_rating.rating,
        own_reviews.review_count
    from score_days d
    join listings l on l.listing_id = d.listing_id
    left join performance_metrics m on m.listing_id = d.listing_id and m.metric_date = d.score_date
    left join rival_prices r on r.listing_id = d.listing_id and r.score_date = d.score_date
    left join lateral (
        select coalesce(h.sale_price_gbp, h.price_gbp) as price_gbp
        from price_history h
        where h.listing_id = d.listing_id and h.priced_at < {{ utc_day_end('d.score_date') }}
        order by h.priced_at desc limit 1
    ) our_price on true
    left join competitive_pricing snapshot
        on snapshot.asin = l.asin and snapshot.fetched_at < {{ utc_day_end('d.score_date') }}
    -- Whichever is newer: our price record's Buy Box flag or Amazon's competitive pricing answer.
    left join lateral (
        select observed.holds_buy_box, observed.observed_by
        from (
            select h.has_buy_box as holds_buy_box, h.priced_at as observed_at, 'price record' as observed_by
            from price_history h
            where h.listing_id = d.listing_id and h.priced_at < {{ utc_day_end('d.score_date') }}
              and h.has_buy_box is not null
            union all
            select snapshot.we_hold_buy_box, snapshot.fetched_at, 'competitive pricing'
            where snapshot.we_hold_buy_box is not null
        ) observed
        order by observed.observed_at desc limit 1
    ) held on true
    left join lateral (
        select observed.buy_box_price_gbp
        from (
            select h.buy_box_price_gbp, h.priced_at as observed_at
            from price_history h
            where h.listing_id = d.listing_id and h.priced_at < {{ utc_day_end('d.score_date') }}
              and h.buy_box_price_gbp is not null
            union all
            select snapshot.buy_box_landed_price_gbp, snapshot.fetched_at
            where snapshot.buy_box_landed_price_gbp is not null
        ) observed
        order by observed.observed_at desc limit 1
    ) buy_box on true
    -- Our own ASIN in the Keepa tables (is_own_asin) carries our star rating and review count.
    left join competitor_products own on own.asin = l.asin and own.marketplace_id = l.marketplace_id
    left join lateral (
        select h.rating from competitor_history h
        where h.competitor_id = own.competitor_id and h.observed_at < {{ utc_day_end('d.score_date') }}
          and h.rating is not null
        order by h.observed_at desc limit 1
    ) own_rating on true
    left join lateral (
        select h.review_count from competitor_history h
        where h.competitor_id = own.competitor_id and h.observed_at < {{ utc_day_end('d.score_date') }}
          and h.review_count is not null
        order by h.observed_at desc limit 1
    ) own_reviews on true
)

select * from final
