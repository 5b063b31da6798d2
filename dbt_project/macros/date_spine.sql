{#- One row per calendar day from start_date to end_date, both included, as `calendar_date`: a subquery
    for `from` or `cross join lateral (...)`. No rows when end_date is before start_date or either is NULL. -#}
{% macro date_spine(start_date, end_date) -%}
    select day::date as calendar_date
    from generate_series(({{ start_date }})::date::timestamp, ({{ end_date }})::date::timestamp, interval '1 day') as day
{%- endmacro %}
