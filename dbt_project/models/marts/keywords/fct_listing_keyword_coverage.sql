-- For each listing and tracked keyword, on the content live now: where the keyword appears, how much
-- shoppers search it, whether it is a gap worth fixing, and the listing's weighted coverage.
with keyword_placement as (
    select * from {{ ref('int_listing_keyword_placement') }}
),

keyword_coverage as (
    select * from {{ ref('int_listing_keyword_coverage') }}
),

content_versions as (
    select * from {{ ref('int_listing_content_versions') }}
),

final as (
    select
        p.listing_id,
        p.keyword_id,
        p.keyword,
        p.content_version_number,
        p.search_frequency_rank,
        p.keyword_weight,
        round(100 * p.keyword_weight / c.total_keyword_weight, 2) as keyword_weight_share_pct,
        p.title_match,
        p.bullets_match,
        p.description_match,
        p.search_terms_match,
        p.placement_credit,
        p.best_placement,
        p.is_gap_worth_fixing,
        c.tracked_keyword_count as listing_tracked_keyword_count,
        c.coverage_share_pct as listing_coverage_share_pct
    from keyword_placement p
    join content_versions v
        on v.listing_id = p.listing_id and v.content_version_number = p.content_version_number and v.is_live_version
    join keyword_coverage c
        on c.listing_id = p.listing_id and c.content_version_number = p.content_version_number
)

select * from final
