-- The priority of tasks given as arrays (%(task_ids)s with their listing, type and due date; %(listing_ids)s the
-- distinct listings), as of %(as_of)s: one row (id, priority_score, priority_breakdown) per task. priority.py
-- wraps it in the UPDATE of open tasks; the batched rules tick scores the tasks it is about to create with it.
-- Arrays rather than a join to workflow.tasks: the planner counts them, whatever the table's stats say, and
-- the marts are read for those listings only.
-- impact  0-10: expected GBP over the horizon = the listing's revenue over the last horizon days x the expected
--               uplift: the median measured revenue effect of past changes of the same type (attribution) when
--               enough were measured, else a prior from the score gap (the top fix's points, else the gap to 80);
--               10 at tasks.priority.full_impact_gbp and above, on a log scale below.
-- ease    0-10: by task type (tasks.priority.ease_by_type).
-- urgency 0-10: 3, more as the due date nears (10 when overdue), 8 for a price task while the Buy Box is lost.
-- priority_score 0-100 = 10 x the weighted sum (tasks.priority.weights).
with settings as (
    select
        coalesce(max((value #>> '{{}}')::numeric) filter (where key = 'tasks.priority.horizon_days'), 28)::int as horizon_days,
        coalesce(max((value #>> '{{}}')::numeric) filter (where key = 'tasks.priority.uplift_pct_per_score_point'), 0.5)
            as pct_per_point,
        coalesce(max((value #>> '{{}}')::numeric) filter (where key = 'tasks.priority.max_uplift_pct'), 25) as max_uplift_pct,
        coalesce(max((value #>> '{{}}')::numeric) filter (where key = 'tasks.priority.min_similar_changes'), 3) as min_similar,
        coalesce(max((value #>> '{{}}')::numeric) filter (where key = 'tasks.priority.full_impact_gbp'), 500) as full_gbp,
        coalesce((array_agg(value) filter (where key = 'tasks.priority.weights'))[1],
                 '{{"impact": 0.5, "urgency": 0.3, "ease": 0.2}}'::jsonb) as weights,
        coalesce((array_agg(value) filter (where key = 'tasks.priority.ease_by_type'))[1], '{{}}'::jsonb) as ease_by_type
    from system.settings
    where key like 'tasks.priority.%%'
),

todo as (
    -- the open tasks, as arrays from the first query: the planner counts them, whatever the table's stats say
    select * from unnest(%(task_ids)s::uuid[], %(task_listing_ids)s::uuid[], %(task_types)s::text[],
                         %(due_dates)s::date[]) as t (id, listing_id, task_type, due_date)
),

-- The attribution change types a task of each type produces.
similar_types (task_type, change_type) as (
    values ('pricing', 'price_change'), ('competitive', 'price_change'),
           ('optimization', 'title_update'), ('optimization', 'bullet_update'),
           ('optimization', 'description_update'), ('optimization', 'search_terms_update'),
           ('optimization', 'image_add'), ('optimization', 'image_update'), ('optimization', 'aplus_update'),
           ('compliance', 'title_update'), ('compliance', 'bullet_update'), ('compliance', 'description_update'),
           ('launch', 'title_update'), ('launch', 'image_add'), ('launch', 'price_change')
),

measured as (
    select st.task_type, count(*) as changes,
           percentile_cont(0.5) within group (order by es.effect_pct)::numeric as median_pct
    from similar_types st
    join analytics.attribution_events ev on ev.change_type = st.change_type
    join analytics.attribution_estimates es on es.event_id = ev.id and es.outcome_metric = 'revenue'
    where es.effect_pct is not null
    group by st.task_type
),

revenue as (
    select d.listing_id, sum(d.ordered_product_sales_gbp) as revenue_gbp
    from {fct_listing_performance_daily} as d
    where d.listing_id = any(%(listing_ids)s::uuid[])
      and d.metric_date > %(as_of)s::date - (select horizon_days from settings)
      and d.metric_date <= %(as_of)s::date
    group by d.listing_id
),

scores as (
    select distinct on (s.listing_id) s.listing_id, s.total_score
    from {fct_listing_scores} as s
    where s.listing_id = any(%(listing_ids)s::uuid[])
      and s.score_date <= %(as_of)s::date
    order by s.listing_id, s.score_date desc
),

fixes as (
    select f.listing_id, f.fix, f.points_gained
    from {fct_listing_top_fixes} as f
    where f.listing_id = any(%(listing_ids)s::uuid[]) and f.listing_fix_rank = 1
),

inputs as (
    select t.id, t.task_type, t.due_date,
           coalesce(r.revenue_gbp, 0) as revenue_gbp,
           coalesce(fx.points_gained, greatest(0, 80 - sc.total_score), 0) as gap_points,
           fx.fix,
           m.changes, m.median_pct,
           cp.has_buy_box
    from todo t
    left join revenue r on r.listing_id = t.listing_id
    left join scores sc on sc.listing_id = t.listing_id
    left join fixes fx on fx.listing_id = t.listing_id
    left join measured m on m.task_type = t.task_type and m.changes >= (select min_similar from settings)
    left join pricing.current_prices cp on cp.listing_id = t.listing_id
),

uplift as (
    select i.*,
           case when i.median_pct is not null then i.median_pct
                else least(i.gap_points * s.pct_per_point, s.max_uplift_pct) end as uplift_pct,
           case when i.median_pct is not null
                then format('median of %%s measured past changes', i.changes)
                else format('prior: %%s score points x %%s%%%%', round(i.gap_points, 1), s.pct_per_point) end
               as uplift_source
    from inputs i cross join settings s
),

scored as (
    select u.*,
           round(greatest(u.revenue_gbp * u.uplift_pct / 100, 0), 2) as gain_gbp,
           coalesce((s.ease_by_type ->> u.task_type)::numeric, 5) as ease,
           greatest(3,
                    case when u.due_date is null then 0
                         when u.due_date < %(as_of)s::date then 10
                         else 10 - (u.due_date - %(as_of)s::date) / 3.0 end,
                    case when u.task_type in ('pricing', 'competitive') and u.has_buy_box is false then 8 else 0 end
           ) as urgency
    from uplift u cross join settings s
),

final as (
    select sc.id,
           round(least(10, 10 * ln(1 + sc.gain_gbp) / ln(1 + greatest(s.full_gbp, 1)))::numeric, 1) as impact,
           round(sc.ease, 1) as ease,
           round(least(sc.urgency, 10)::numeric, 1) as urgency,
           sc.gain_gbp, sc.revenue_gbp, round(sc.uplift_pct, 2) as uplift_pct, sc.uplift_source, sc.fix,
           s.horizon_days, s.weights
    from scored sc cross join settings s
)

select f.id,
       round(least(100, 10 * (f.impact * coalesce((f.weights ->> 'impact')::numeric, 0.5)
                              + f.urgency * coalesce((f.weights ->> 'urgency')::numeric, 0.3)
                              + f.ease * coalesce((f.weights ->> 'ease')::numeric, 0.2))), 2) as priority_score,
       jsonb_build_object(
           'impact_score', f.impact, 'ease_score', f.ease, 'urgency_score', f.urgency,
           'expected_gain_gbp', f.gain_gbp, 'horizon_days', f.horizon_days,
           'revenue_gbp', round(f.revenue_gbp, 2), 'uplift_pct', f.uplift_pct, 'uplift_source', f.uplift_source,
           'top_fix', f.fix, 'scored_at', %(as_of)s::timestamptz) as priority_breakdown
from final f
