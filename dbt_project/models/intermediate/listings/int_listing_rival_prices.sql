{{
    config(
        materialized='incremental',
        unique_key=['listing_id', 'score_date'],
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['score_date']}]
    )
}}
-- Per listing and day: how many tracked rivals had a price at the end of that day (UTC) and their median.
-- A table, filtered to the run's window. The median is taken once per rival set and day
-- (int_listing_rival_sets), then handed to each listing tracking that set.
with score_days as (
    select * from {{ ref('int_listing_score_days') }}
    {% if is_incremental() -%}
    where score_date between '{{ var("min_date") }}' and '{{ var("max_date") }}'
    {%- endif %}
),

rival_sets as (
    select * from {{ ref('int_listing_rival_sets') }}
),

rival_day_prices as (
    select * from {{ ref('int_competitor_daily_prices') }}
    {% if is_incremental() -%}
    where price_date between '{{ var("min_date") }}' and '{{ var("max_date") }}'
    {%- endif %}
),

rival_set_members as (
    select distinct rival_set, unnest(rival_competitor_ids) as competitor_id
    from rival_sets
),

rival_set_days as (
    select
        m.rival_set,
        p.price_date as score_date,
        count(*) as rival_count,
        array_agg(p.price_gbp order by p.price_gbp) as sorted_prices
    from rival_set_members m
    join rival_day_prices p on p.competitor_id = m.competitor_id
    group by m.rival_set, p.price_date
),

priced as (
    select d.listing_id, d.score_date, sd.rival_count, sd.sorted_prices
    from score_days d
    join rival_sets s on s.listing_id = d.listing_id
    join rival_set_days sd on sd.rival_set = s.rival_set and sd.score_date = d.score_date
),

final as (
    select
        listing_id,
        score_date,
        rival_count,
        -- The middle price, or the mean of the two middle prices for an even count, to the penny.
        round((sorted_prices[(rival_count + 1) / 2] + sorted_prices[(rival_count + 2) / 2]) / 2, 2)
            as rival_median_price_gbp
    from priced
)

select * from final
