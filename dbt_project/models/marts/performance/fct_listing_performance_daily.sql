-- Daily performance per listing for BI: every day of the listing's history, zero days included.
{{ config(
    materialized='incremental',
    unique_key=['listing_id', 'metric_date'],
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns'
) }}

with windows as (
    select * from {{ ref('int_listing_performance_windows_bounded') }}
),

metrics as (
    select * from {{ ref('stg_analytics__performance_metrics') }}
    {% if is_incremental() %}
    where metric_date between '{{ var("min_date") }}' and '{{ var("max_date") }}'
    {% endif %}
),

settings as (
    select * from {{ ref('int_settings_current') }}
),

{% if is_incremental() %}
    {%- set spine_start = "greatest(windows.history_start_date, '" ~ var('min_date') ~ "'::date)" %}
    {%- set spine_end = "least(windows.history_end_date, '" ~ var('max_date') ~ "'::date)" %}
{% else %}
    {%- set spine_start = 'windows.history_start_date' %}
    {%- set spine_end = 'windows.history_end_date' %}
{% endif %}
listing_days as (
    select
        windows.listing_id,
        days.calendar_date as metric_date
    from windows
    cross join lateral ({{ date_spine(spine_start, spine_end) }}) as days
),

loaded_days as (
    select distinct metric_date from metrics
),

final as (
    select
        listing_days.listing_id,
        listing_days.metric_date,
        metrics.listing_id is not null as was_reported,
        loaded_days.metric_date is not null as report_day_loaded,
        coalesce(metrics.sessions, 0) as sessions,
        coalesce(metrics.page_views, 0) as page_views,
        coalesce(metrics.units_ordered, 0) as units_ordered,
        round(coalesce(metrics.ordered_product_sales_gbp, 0), 2) as ordered_product_sales_gbp,
        round(coalesce(metrics.ordered_product_sales_gbp, 0) / (1 + settings.vat_rate), 2)
            as ordered_product_sales_ex_vat_gbp,
        round(metrics.units_ordered::numeric / nullif(metrics.sessions, 0), 4) as conversion_fraction,
        metrics.buy_box_pct
    from listing_days
    cross join settings
    left join metrics
        on listing_days.listing_id = metrics.listing_id
        and listing_days.metric_date = metrics.metric_date
    left join loaded_days on listing_days.metric_date = loaded_days.metric_date
)

select * from final
