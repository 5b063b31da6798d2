{#- Threat points: the expression rounded to 2 decimals and held between 0 and 100; NULL (not measured) stays NULL.
    The explicit NULL case matters: PostgreSQL's least/greatest skip NULL arguments, so
    least(100, greatest(0, NULL)) would be 0 and an unmeasured signal would count as "no threat".
    Pinned by int_competitor_threat_scored's unit tests (clamping at 0 and 100, NULL kept). -#}
{% macro clamped_points(expression) -%}
    case when ({{ expression }}) is not null then round(least(100, greatest(0, {{ expression }})), 2) end
{%- endmacro %}
