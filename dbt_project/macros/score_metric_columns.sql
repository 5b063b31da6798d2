{#- The columns of a score metric row, taken from the unpivoted VALUES alias of a check model. Points earned
    are rounded to 2 decimals here, once, so every rule reports them the same way. -#}
{% macro score_metric_columns(alias) -%}
{{ alias }}.component,
        {{ alias }}.metric,
        {{ alias }}.metric_value,
        round({{ alias }}.points_earned, 2) as points_earned,
        {{ alias }}.points_possible,
        {{ alias }}.is_measured,
        {{ alias }}.reason,
        {{ alias }}.fix
{%- endmacro %}
