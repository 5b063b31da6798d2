-- Each listing's sessions and ordered product sales over the 28 days ending on the latest day Amazon has
-- reported for any listing (so a stale demo or a late report does not make every listing look dead).
with listings as (
    select * from {{ ref('stg_catalog__listings') }}
),

performance_metrics as (
    select * from {{ ref('stg_analytics__performance_metrics') }}
),

latest_day as (
    select max(metric_date) as last_reported_date from performance_metrics
),

summed as (
    select
        m.listing_id,
        sum(m.sessions) as sessions,
        sum(m.units_ordered) as units_ordered,
        sum(m.ordered_product_sales_gbp) as ordered_product_sales_gbp
    from performance_metrics m
    cross join latest_day d
    where m.metric_date between d.last_reported_date - 27 and d.last_reported_date
    group by m.listing_id
),

final as (
    select
        l.listing_id,
        d.last_reported_date - 27 as first_day,
        d.last_reported_date as last_day,
        coalesce(s.sessions, 0) as sessions_28_days,
        coalesce(s.units_ordered, 0) as units_ordered_28_days,
        coalesce(s.ordered_product_sales_gbp, 0) as ordered_product_sales_28_days_gbp
    from listings l
    cross join latest_day d
    left join summed s on s.listing_id = l.listing_id
)

select * from final
