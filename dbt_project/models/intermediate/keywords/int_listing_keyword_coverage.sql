-- Per listing content version: the share of its tracked keywords' search weight that the content covers,
-- and the keyword whose better placement would gain the most.
with keyword_placement as (
    select * from {{ ref('int_listing_keyword_placement') }}
),

summarised as (
    select
        listing_id,
        content_version_number,
        count(*) as tracked_keyword_count,
        sum(keyword_weight) as total_keyword_weight,
        sum(keyword_weight * placement_credit) as covered_keyword_weight,
        count(*) filter (where is_gap_worth_fixing) as gap_keyword_count,
        -- The keyword losing the most weighted credit; ties go to the alphabetically first.
        (array_agg(keyword order by keyword_weight * (1 - placement_credit) desc, keyword)
            filter (where placement_credit < 1))[1] as top_missed_keyword,
        (array_agg(best_placement order by keyword_weight * (1 - placement_credit) desc, keyword)
            filter (where placement_credit < 1))[1] as top_missed_keyword_placement,
        string_agg(format('''%s''', keyword), ', ' order by keyword_weight desc, keyword)
            filter (where is_gap_worth_fixing) as gap_keywords
    from keyword_placement
    group by listing_id, content_version_number
),

final as (
    select
        *,
        round(100 * covered_keyword_weight / total_keyword_weight, 2) as coverage_share_pct
    from summarised
)

select * from final
