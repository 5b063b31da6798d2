{#- For every day of [first_day, last_day] and every key of `keys`: the latest row of `relation` (matching
    `condition`) observed before the day ended (UTC), however old, as (entity_key, as_of_date, observed_at, the
    `values` given as {name: expression over `src`}). Days before a key's first such row have no row.
    Set-based: the rows become steps (the latest before the window opened, one look-up per key; then the last
    row of each day in the window), each step spans the days until the next, and callers join by equality
    on (entity_key, as_of_date). A look-up per key and day is what this replaces: it was the cost of the
    whole build at 10,000 listings x 730 days. `first_day` / `last_day` are SQL date expressions (scalar
    subqueries prune partitions at run time). -#}
{% macro latest_per_day(relation, key_column, time_column, values, keys, first_day, last_day, condition='true') -%}
(
    with opening as (
        select
            k.entity_key,
            ({{ first_day }}) as valid_from,
            0 as step_order,
            latest.observed_at,
            {%- for name in values %}
            latest.{{ name }}{{ "," if not loop.last }}
            {%- endfor %}
        from (select distinct {{ key_column }} as entity_key from {{ keys }}) k
        cross join lateral (
            select
                src.{{ time_column }} as observed_at,
                {%- for name, expression in values.items() %}
                {{ expression }} as {{ name }}{{ "," if not loop.last }}
                {%- endfor %}
            from {{ relation }} src
            where src.{{ key_column }} = k.entity_key
              and ({{ condition }})
              and src.{{ time_column }} < (({{ first_day }})::timestamp at time zone 'UTC')
            order by src.{{ time_column }} desc
            limit 1
        ) latest
    ),

    daily as (
        select distinct on (src.{{ key_column }}, (src.{{ time_column }} at time zone 'UTC')::date)
            src.{{ key_column }} as entity_key,
            (src.{{ time_column }} at time zone 'UTC')::date as valid_from,
            1 as step_order,
            src.{{ time_column }} as observed_at,
            {%- for name, expression in values.items() %}
            {{ expression }} as {{ name }}{{ "," if not loop.last }}
            {%- endfor %}
        from {{ relation }} src
        where ({{ condition }})
          and src.{{ time_column }} >= (({{ first_day }})::timestamp at time zone 'UTC')
          and src.{{ time_column }} < {{ utc_day_end(last_day) }}
          and src.{{ key_column }} in (select {{ key_column }} from {{ keys }})
        order by src.{{ key_column }}, (src.{{ time_column }} at time zone 'UTC')::date, src.{{ time_column }} desc
    ),

    steps as (
        select * from opening
        union all
        select * from daily
    ),

    spans as (
        select
            steps.*,
            -- On the first day the opening step sorts first, so a same-day observation ends it.
            coalesce(lead(valid_from) over (partition by entity_key order by valid_from, step_order) - 1, ({{ last_day }}))
                as valid_to
        from steps
    )

    select
        spans.entity_key,
        spans.valid_from + d.offset_days as as_of_date,
        spans.observed_at,
        {%- for name in values %}
        spans.{{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from spans
    cross join lateral generate_series(0, spans.valid_to - spans.valid_from) as d (offset_days)
)
{%- endmacro %}
