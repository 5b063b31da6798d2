-- Compliance scored per listing on its CURRENT status and Amazon's CURRENT issues (neither is kept as
-- history): suppression or an incomplete listing, and errors, enforcements and warnings from the Listings
-- Items API. A SKU Amazon reported no issue for counts as clean.
{%- set rules = listing_scoring_rules() %}
{%- set points = rules.points %}
with listings as (
    select * from {{ ref('stg_catalog__listings') }}
),

listing_issues as (
    select * from {{ ref('stg_sp_api__listing_issues') }}
),

issue_summary as (
    select
        sku,
        count(*) filter (where is_enforced or issue_severity = 'ERROR') as blocking_issue_count,
        count(*) filter (where not is_enforced and issue_severity = 'WARNING') as warning_count,
        (array_agg(issue_message order by issue_number) filter (where is_enforced or issue_severity = 'ERROR'))[1]
            as first_blocking_message,
        (array_agg(issue_message order by issue_number) filter (where not is_enforced and issue_severity = 'WARNING'))[1]
            as first_warning_message
    from listing_issues
    group by sku
),

measured as (
    select
        l.listing_id,
        l.listing_status,
        coalesce(i.blocking_issue_count, 0) as blocking_issue_count,
        coalesce(i.warning_count, 0) as warning_count,
        i.first_blocking_message,
        i.first_warning_message
    from listings l
    left join issue_summary i on i.sku = l.sku
),

final as (
    select m.listing_id,
        {{ score_metric_columns('checks') }}
    from measured m
    cross join lateral (values
        ('compliance', 'listing_status', null::numeric,
         case when m.listing_status in ('suppressed', 'incomplete') then 0 else {{ points.listing_status }} end::numeric,
         {{ points.listing_status }}::numeric, true,
         case m.listing_status
             when 'suppressed' then 'listing suppressed: hidden from search and the Buy Box'
             when 'incomplete' then 'listing incomplete: required attributes missing, not for sale'
             else format('listing %s', m.listing_status)
         end,
         case m.listing_status
             when 'suppressed' then 'Fix the issues Amazon lists to lift the suppression'
             when 'incomplete' then 'Complete the required attributes Amazon lists'
         end),
        ('compliance', 'listing_issues', (m.blocking_issue_count + m.warning_count)::numeric,
         case
             when m.blocking_issue_count > 0 then 0
             else greatest({{ points.listing_issues }} - {{ rules.issue_warning_penalty }} * m.warning_count,
                           {{ rules.issue_warning_floor_points }})
         end::numeric,
         {{ points.listing_issues }}::numeric, true,
         case
             when m.blocking_issue_count > 0
                 then format('%s error%s from Amazon, e.g. "%s"', m.blocking_issue_count,
                             case when m.blocking_issue_count > 1 then 's' else '' end, m.first_blocking_message)
             when m.warning_count > 0
                 then format('%s warning%s from Amazon, e.g. "%s"', m.warning_count,
                             case when m.warning_count > 1 then 's' else '' end, m.first_warning_message)
             else 'no issues reported by Amazon'
         end,
         case
             when m.blocking_issue_count > 0 then format('Fix Amazon''s error: %s', m.first_blocking_message)
             when m.warning_count > 0 then format('Resolve Amazon''s warning: %s', m.first_warning_message)
         end)
    ) as checks (component, metric, metric_value, points_earned, points_possible, is_measured, reason, fix)
)

select * from final
