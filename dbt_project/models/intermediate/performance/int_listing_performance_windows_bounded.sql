-- Per listing, the days its performance history covers: from its first day in Amazon's Sales and Traffic
-- report (a listing never reported starts at its creation) to the last day Amazon reported for anyone, so
-- days without traffic inside that span become zero days instead of gaps.
with listings as (
    select * from {{ ref('stg_catalog__listings') }}
),

metrics as (
    select * from {{ ref('stg_analytics__performance_metrics') }}
),

reported as (
    select
        listing_id,
        min(metric_date) as first_reported_date,
        max(metric_date) as last_reported_date
    from metrics
    group by listing_id
),

marketplace as (
    select
        min(metric_date) as first_report_date,
        max(metric_date) as last_report_date
    from metrics
),

final as (
    select
        listings.listing_id,
        reported.first_reported_date,
        reported.last_reported_date,
        -- Days before the first report anyone has are unknown, not zero: a never-reported listing starts no
        -- earlier than that.
        coalesce(
            reported.first_reported_date,
            greatest((listings.created_at at time zone 'UTC')::date, marketplace.first_report_date)
        ) as history_start_date,
        marketplace.last_report_date as history_end_date
    from listings
    cross join marketplace
    left join reported on listings.listing_id = reported.listing_id
    where reported.listing_id is not null or listings.listing_status = 'active'
)

select * from final
