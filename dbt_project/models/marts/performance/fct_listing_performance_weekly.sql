-- Weekly performance per listing for BI, ISO weeks from Monday, summed from the daily mart: conversion is
-- total units over total sessions and the Buy Box share is weighted by page views, never a mean of ratios.
{{ config(
    materialized='incremental',
    unique_key=['listing_id', 'week_start_date'],
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns'
) }}

with daily as (
    select * from {{ ref('fct_listing_performance_daily') }}
    {% if is_incremental() %}
    -- Widened to whole weeks, so a week the window touches is rebuilt from all its days.
    where metric_date between date_trunc('week', '{{ var("min_date") }}'::date)::date
        and (date_trunc('week', '{{ var("max_date") }}'::date) + interval '6 days')::date
    {% endif %}
),

weekly as (
    select
        listing_id,
        date_trunc('week', metric_date)::date as week_start_date,
        count(*) as days_in_history,
        count(*) filter (where was_reported) as days_reported,
        sum(sessions) as sessions,
        sum(page_views) as page_views,
        sum(units_ordered) as units_ordered,
        sum(ordered_product_sales_gbp) as ordered_product_sales_gbp,
        sum(ordered_product_sales_ex_vat_gbp) as ordered_product_sales_ex_vat_gbp,
        sum(buy_box_pct * page_views) filter (where buy_box_pct is not null) as buy_box_page_views,
        sum(page_views) filter (where buy_box_pct is not null) as page_views_with_buy_box_share
    from daily
    group by listing_id, date_trunc('week', metric_date)::date
),

final as (
    select
        listing_id,
        week_start_date,
        extract(isoyear from week_start_date)::integer as iso_year,
        extract(week from week_start_date)::integer as iso_week,
        days_in_history,
        days_reported,
        days_in_history = 7 as is_full_week,
        sessions,
        page_views,
        units_ordered,
        ordered_product_sales_gbp,
        ordered_product_sales_ex_vat_gbp,
        round(units_ordered::numeric / nullif(sessions, 0), 4) as conversion_fraction,
        round(buy_box_page_views / nullif(page_views_with_buy_box_share, 0), 2) as buy_box_pct
    from weekly
)

select * from final
