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
-- A table, filtered to the run's window, so one day's run looks up one day; each rival's price is looked up
-- once per day however many listings track it.
with score_days as (
    select * from {{ ref('int_listing_score_days') }}
    {% if is_incremental() -%}
    where score_date between '{{ var("min_date") }}' and '{{ var("max_date") }}'
    {%- endif %}
),

listings as (
    select * from {{ ref('stg_catalog__listings') }}
),

tracking as (
    select * from {{ ref('stg_competitors__tracking') }}
),

competitor_products as (
    select * from {{ ref('stg_competitors__products') }}
),

competitor_history as (
    select * from {{ ref('stg_competitors__price_history') }}
),

-- Rivals the seller did not ignore; our own ASINs (fetched from Keepa for their Buy Box and reviews) are not rivals.
rivals as (
    select t.listing_id, t.competitor_id
    from tracking t
    join competitor_products p on p.competitor_id = t.competitor_id
    where t.tracking_status <> 'ignored'
      and not exists (select 1 from listings o where o.asin = p.asin and o.marketplace_id = p.marketplace_id)
),

rival_days as (
    select distinct r.competitor_id, d.score_date
    from score_days d
    join rivals r on r.listing_id = d.listing_id
),

-- What a shopper pays on the rival's page: its Buy Box (with shipping), else its lowest new offer. A rival
-- out of stock at the end of the day has no price and is left out. MATERIALIZED: one look-up per rival and
-- day, not one per listing tracking it.
rival_day_prices as materialized (
    select rd.competitor_id, rd.score_date, latest.price_gbp
    from rival_days rd
    cross join lateral (
        select coalesce(h.buy_box_landed_price_gbp, h.new_price_gbp) as price_gbp
        from competitor_history h
        where h.competitor_id = rd.competitor_id and h.observed_at < {{ utc_day_end('rd.score_date') }}
          and (h.buy_box_landed_price_gbp is not null or h.new_price_gbp is not null or h.new_out_of_stock)
        order by h.observed_at desc
        limit 1
    ) latest
    where latest.price_gbp is not null
),

priced as (
    select
        d.listing_id,
        d.score_date,
        count(*) as rival_count,
        array_agg(p.price_gbp order by p.price_gbp) as sorted_prices
    from score_days d
    join rivals r on r.listing_id = d.listing_id
    join rival_day_prices p on p.competitor_id = r.competitor_id and p.score_date = d.score_date
    group by d.listing_id, d.score_date
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
