with source as (
    select * from {{ source('analytics', 'performance_metrics') }}
),

renamed as (
    select
        listing_id,
        -- The business day the report covers (UTC midnight rows; docs/decisions/2026-11-25-daily-metrics-at-utc-midnight.md).
        coalesce(report_date, (time at time zone 'UTC')::date) as metric_date,
        sessions,
        page_views,
        units_ordered,
        ordered_product_sales as ordered_product_sales_gbp,
        -- Stored as fractions (0.1234 = 12.34 %); buy_box_pct is in percentage points.
        unit_session_pct as unit_session_fraction,
        buy_box_pct,
        bsr,
        bsr_category
    from source
)

select * from renamed
