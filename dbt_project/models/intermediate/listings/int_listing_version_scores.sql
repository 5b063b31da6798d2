-- The points of everything that does not change from day to day, per listing content version: title, content
-- and SEO rules on that version's text, plus the current images and compliance. Summed per component, with
-- every metric's detail collected for the score breakdown.
with content_versions as (
    select * from {{ ref('int_listing_content_versions') }}
),

title_checks as (
    select * from {{ ref('int_listing_title_checks') }}
),

content_checks as (
    select * from {{ ref('int_listing_content_checks') }}
),

seo_checks as (
    select * from {{ ref('int_listing_seo_checks') }}
),

image_checks as (
    select * from {{ ref('int_listing_image_checks') }}
),

compliance_checks as (
    select * from {{ ref('int_listing_compliance_checks') }}
),

per_listing_checks as (
    select * from image_checks
    union all
    select * from compliance_checks
),

all_checks as (
    select * from title_checks
    union all
    select * from content_checks
    union all
    select * from seo_checks
    union all
    select v.listing_id, v.content_version_number, c.component, c.metric, c.metric_value, c.points_earned,
           c.points_possible, c.is_measured, c.reason, c.fix
    from per_listing_checks c
    join content_versions v on v.listing_id = c.listing_id
),

final as (
    select
        listing_id,
        content_version_number,
        {{ aggregate_score_metrics() }}
    from all_checks
    group by listing_id, content_version_number
)

select * from final
