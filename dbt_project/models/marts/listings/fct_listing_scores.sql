{{
    config(
        materialized='incremental',
        unique_key=['listing_id', 'score_date'],
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns'
    )
}}
-- Daily listing quality score: five components (0-100) from the rules in listing_scoring_rules(), weighted by
-- the seller's scoring.weights into total_score, with every metric's points and reason in score_breakdown.
{%- set rules = listing_scoring_rules() %}
{%- set components = rules.components %}
with competitive_checks as (
    select * from {{ ref('int_listing_competitive_checks') }}
    {% if is_incremental() -%}
    where score_date between '{{ var("min_date") }}' and '{{ var("max_date") }}'
    {%- endif %}
),

version_scores as (
    select * from {{ ref('int_listing_version_scores') }}
),

settings as (
    select * from {{ ref('int_settings_current') }}
),

daily_scores as (
    select
        listing_id,
        score_date,
        content_version_number,
        {{ aggregate_score_metrics() }}
    from competitive_checks
    group by listing_id, score_date, content_version_number
),

-- A component with nothing measured scores NULL and its weight is shared out among the measured ones.
component_scores as (
    select
        d.listing_id,
        d.score_date,
        d.content_version_number,
        v.metrics || d.metrics as metrics,
        {%- for component in components %}
        {%- set source = 'd' if component == 'competitive' else 'v' %}
        {{ source }}.{{ component }}_points_earned,
        {{ source }}.{{ component }}_points_possible,
        100 * {{ source }}.{{ component }}_points_earned / nullif({{ source }}.{{ component }}_points_possible, 0)
            as {{ component }}_score_exact,
        coalesce((s.scoring_weights ->> '{{ component }}')::numeric, 0) as {{ component }}_weight{{ ',' if not loop.last }}
        {%- endfor %}
    from daily_scores d
    join version_scores v
        on v.listing_id = d.listing_id and v.content_version_number = d.content_version_number
    -- Missing settings leave every weight 0 and total_score NULL, which its not_null test reports.
    left join settings s on true
),

totals as (
    select
        *,
        ({% for component in components %}case when {{ component }}_score_exact is not null then {{ component }}_weight else 0 end{{ ' + ' if not loop.last }}{% endfor %})
            as measured_weight,
        ({% for component in components %}coalesce({{ component }}_weight * {{ component }}_score_exact, 0){{ ' + ' if not loop.last }}{% endfor %})
            as weighted_points
    from component_scores
),

final as (
    select
        listing_id,
        score_date,
        round(weighted_points / nullif(measured_weight, 0), 2)::numeric(5, 2) as total_score,
        round(seo_score_exact, 2)::numeric(5, 2) as seo_score,
        round(content_score_exact, 2)::numeric(5, 2) as content_score,
        round(images_score_exact, 2)::numeric(5, 2) as image_score,
        round(competitive_score_exact, 2)::numeric(5, 2) as competitive_score,
        round(compliance_score_exact, 2)::numeric(5, 2) as compliance_score,
        jsonb_build_object(
            'scoring_version', '{{ rules.version }}',
            'measured_weight', measured_weight,
            'components', jsonb_build_object(
                {%- for component in components %}
                '{{ component }}', jsonb_build_object(
                    'score', round({{ component }}_score_exact, 2), 'weight', {{ component }}_weight,
                    'points_earned', {{ component }}_points_earned, 'points_possible', {{ component }}_points_possible
                ){{ ',' if not loop.last }}
                {%- endfor %}
            ),
            'metrics', metrics
        ) as score_breakdown,
        '{{ rules.version }}'::varchar(20) as scoring_version,
        content_version_number
    from totals
)

select * from final
