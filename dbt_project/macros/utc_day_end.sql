{#- The first instant after a calendar day (UTC, like the daily metrics and the Dagster partitions):
    "as of day D" means observed before this. -#}
{% macro utc_day_end(date_expression) -%}
((({{ date_expression }}) + 1)::timestamp at time zone 'UTC')
{%- endmacro %}
