-- Each search term in Brand Analytics with its latest search frequency rank and the keyword weight derived
-- from it (keyword_search_weight: 1 / ln(rank + e)); terms are matched on their normalized words.
with search_terms as (
    select * from {{ ref('stg_sp_api__search_terms') }}
),

normalized as (
    select
        {{ normalize_for_matching('search_term') }} as matching_text,
        search_term,
        search_frequency_rank,
        report_period,
        period_end_date
    from search_terms
    where search_frequency_rank is not null
),

-- The most recent period wins; within it, the best rank of any spelling that normalizes to the same words.
latest as (
    select distinct on (matching_text) *
    from normalized
    where matching_text is not null
    order by matching_text, period_end_date desc, search_frequency_rank, search_term
),

final as (
    select
        matching_text,
        search_term,
        search_frequency_rank,
        report_period,
        period_end_date,
        {{ keyword_search_weight('search_frequency_rank') }} as keyword_weight
    from latest
)

select * from final
