{#- Score metric rows (component, metric, metric_value, points_earned, points_possible, is_measured, reason,
    fix) summed per component and collected into one JSON object keyed by metric. Use under a GROUP BY.
    A metric not measured has NULL points, so it leaves both the points earned and the denominator. -#}
{% macro aggregate_score_metrics() %}
{%- for component in listing_scoring_rules().components %}
    sum(points_earned) filter (where component = '{{ component }}') as {{ component }}_points_earned,
    sum(points_possible) filter (where component = '{{ component }}') as {{ component }}_points_possible,
{%- endfor %}
    jsonb_object_agg(metric, jsonb_build_object(
        'component', component, 'value', metric_value, 'points_earned', points_earned,
        'points_possible', points_possible, 'measured', is_measured, 'reason', reason, 'fix', fix
    )) as metrics
{%- endmacro %}
