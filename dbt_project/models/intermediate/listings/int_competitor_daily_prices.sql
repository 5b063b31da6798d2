{{
    config(
        materialized='incremental',
        unique_key=['competitor_id', 'price_date'],
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        post_hook='analyze {{ this }}'
    )
}}
-- Per tracked rival and day (UTC) of the run's window: what a shopper paid on its page at the end of the day,
-- its Buy Box (with shipping), else its lowest new offer, from the latest Keepa observation before the day
-- ended. Out of stock then: no row. Rank-only observations are not price news.
-- Set-based: the history is reduced to steps (where the rival stood when the window opened, then its last
-- observation of each day it was observed); a step spans the days until the next one. (A look-up per rival
-- and day took over half an hour at 10,000 listings x 730 days.)
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

rival_ids as (
    select distinct unnest(rival_competitor_ids) as competitor_id
    from {{ ref('int_listing_rival_sets') }}
),

price_observations as not materialized (
    select
        competitor_id,
        observed_at,
        coalesce(buy_box_landed_price_gbp, new_price_gbp) as price_gbp
    from {{ ref('stg_competitors__price_history') }}
    where buy_box_landed_price_gbp is not null or new_price_gbp is not null or new_out_of_stock
),

-- Where each rival stood when the window opened (its last observation before the first day, if any).
opening_steps as (
    select r.competitor_id, (select first_day from window_bounds) as valid_from, 0 as step_order, latest.price_gbp
    from rival_ids r
    cross join lateral (
        select o.price_gbp
        from price_observations o
        where o.competitor_id = r.competitor_id
          -- Scalar subqueries: their values prune the monthly partitions at run time.
          and o.observed_at < ((select first_day from window_bounds)::timestamp at time zone 'UTC')
        order by o.observed_at desc
        limit 1
    ) latest
),

-- Then its last observation of each day (UTC) inside the window.
daily_steps as (
    select distinct on (o.competitor_id, (o.observed_at at time zone 'UTC')::date)
        o.competitor_id,
        (o.observed_at at time zone 'UTC')::date as valid_from,
        1 as step_order,
        o.price_gbp
    from price_observations o
    where o.competitor_id in (select competitor_id from rival_ids)
      and o.observed_at >= ((select first_day from window_bounds)::timestamp at time zone 'UTC')
      and o.observed_at < {{ utc_day_end('(select last_day from window_bounds)') }}
    order by o.competitor_id, (o.observed_at at time zone 'UTC')::date, o.observed_at desc
),

steps as (
    select * from opening_steps
    union all
    select * from daily_steps
),

-- Each step holds until the day before the next one (the last until the window ends). An opening step
-- followed by an observation on the first day spans no day (step_order puts the opening first).
spans as (
    select
        competitor_id,
        valid_from,
        coalesce(
            lead(valid_from) over (partition by competitor_id order by valid_from, step_order) - 1,
            (select last_day from window_bounds)
        ) as valid_to,
        price_gbp
    from steps
),

final as (
    select s.competitor_id, s.valid_from + d.offset_days as price_date, s.price_gbp
    from spans s
    cross join lateral generate_series(0, s.valid_to - s.valid_from) as d (offset_days)
    where s.price_gbp is not null
)

select * from final
