-- One row per listing and day to score, from the listing's first day of data to today (UTC), with the
-- content version that was live at the end of that day.
with listings as (
    select * from {{ ref('stg_catalog__listings') }}
),

performance_metrics as (
    select * from {{ ref('stg_analytics__performance_metrics') }}
),

content_versions as (
    select * from {{ ref('int_listing_content_versions') }}
),

first_metric_dates as (
    select listing_id, min(metric_date) as first_metric_date
    from performance_metrics
    group by listing_id
),

listing_days as (
    select
        l.listing_id,
        day::date as score_date
    from listings l
    left join first_metric_dates m on m.listing_id = l.listing_id
    cross join lateral generate_series(
        least((l.created_at at time zone 'UTC')::date, m.first_metric_date),
        (now() at time zone 'UTC')::date,
        interval '1 day'
    ) as day
),

final as (
    select
        d.listing_id,
        d.score_date,
        v.content_version_number
    from listing_days d
    join content_versions v
        on v.listing_id = d.listing_id
        and (v.live_from is null or v.live_from < {{ utc_day_end('d.score_date') }})
        and (v.live_until is null or v.live_until >= {{ utc_day_end('d.score_date') }})
)

select * from final
