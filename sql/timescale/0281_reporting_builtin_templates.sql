-- 0281_reporting: the built-in report templates (seed data). Each is one SELECT over the marts and the
-- seller's tables with named, typed parameters (%(name)s, bound by the driver, never formatted into the SQL).
-- A built-in is replaced by later migrations; a seller's own template of the same name is never touched.
-- (docs/decisions/2026-11-26-reporting-templates-and-parameters.md)

INSERT INTO reporting.templates (name, description, sql, parameters, default_format, is_builtin) VALUES
('weekly_listing_performance',
 'Sessions, units, sales, conversion and Buy Box share per listing and ISO week (Monday start).',
 $tpl$select l.sku, l.asin, l.title as listing_title, w.week_start_date, w.iso_year, w.iso_week, w.is_full_week,
       w.days_reported, w.sessions, w.page_views, w.units_ordered, w.ordered_product_sales_gbp,
       w.ordered_product_sales_ex_vat_gbp, round(w.conversion_fraction * 100, 2) as conversion_pct,
       round(w.buy_box_pct, 1) as buy_box_pct
from marts.fct_listing_performance_weekly w
join catalog.listings l on l.id = w.listing_id
where w.week_start_date > %(start_date)s::date - 7
  and w.week_start_date <= %(end_date)s::date
  and (w.is_full_week or not %(full_weeks_only)s::boolean)
order by w.week_start_date desc, w.ordered_product_sales_gbp desc nulls last, l.sku$tpl$,
 '{"start_date": {"type": "date", "default": "today-28d", "description": "Weeks overlapping this day and later"},
   "end_date": {"type": "date", "default": "today", "description": "Weeks starting on or before this day"},
   "full_weeks_only": {"type": "boolean", "default": false, "description": "Leave out weeks with missing days"}}',
 'xlsx', TRUE),

('margin_report',
 'Each listing at its current price: VAT, Amazon fees, fulfilment, landed cost, net margin against the floor.',
 $tpl$select l.sku, l.asin, l.title as listing_title, m.fulfillment_channel, m.current_price_gbp, m.output_vat_gbp,
       m.referral_fee_gbp, m.fulfilment_cost_gbp, m.landed_cost_gbp, m.gross_margin_gbp, m.net_margin_gbp,
       m.net_margin_pct, m.margin_floor_pct, m.meets_margin_floor, m.break_even_price_gbp, m.floor_price_gbp,
       m.margin_is_complete, m.priced_on
from marts.fct_listing_margins m
join catalog.listings l on l.id = m.listing_id
where (not %(below_floor_only)s::boolean or m.meets_margin_floor is false)
  and (%(min_net_margin_pct)s::numeric is null or m.net_margin_pct < %(min_net_margin_pct)s::numeric)
order by m.net_margin_pct asc nulls first, l.sku$tpl$,
 '{"below_floor_only": {"type": "boolean", "default": false, "description": "Only listings under their margin floor"},
   "min_net_margin_pct": {"type": "numeric", "default": null, "min": -100, "max": 100,
                          "description": "Only listings whose net margin % is below this (empty: all)"}}',
 'xlsx', TRUE),

('competitor_moves',
 'Rival price moves, rank jumps, stock-outs and new rivals since a day, with our listings they affect.',
 $tpl$select a.created_at, a.alert_type, a.severity, p.asin as rival_asin, p.title as rival_title,
       p.brand as rival_brand, a.previous_value, a.new_value, a.change_pct, a.status,
       (select string_agg(l.sku, ', ' order by l.sku) from catalog.listings l
        where l.id = any(a.affected_listings)) as our_listings_affected
from competitors.alerts a
join competitors.products p on p.id = a.competitor_id
where a.created_at >= %(start_date)s::date
  and array_position(array['low', 'medium', 'high', 'critical'], a.severity::text)
      >= array_position(array['low', 'medium', 'high', 'critical'], %(min_severity)s::text)
order by a.created_at desc, array_position(array['low', 'medium', 'high', 'critical'], a.severity::text) desc$tpl$,
 '{"start_date": {"type": "date", "default": "today-7d", "description": "Moves seen on or after this day"},
   "min_severity": {"type": "text", "default": "low", "choices": ["low", "medium", "high", "critical"],
                    "description": "Leave out moves below this severity"}}',
 'csv', TRUE),

('competitor_threats',
 'The most threatening rival of each listing: its price against ours, Buy Box share taken, rank and reviews.',
 $tpl$select t.sku, t.asin, t.rival_asin, t.rival_title, t.rival_brand, t.our_price_gbp, t.rival_price_gbp,
       t.undercut_pct, t.rival_is_out_of_stock, t.buy_box_share_taken_pct, t.rank_improvement_pct,
       t.reviews_gained, t.rival_rating, t.our_rating, t.threat_score, t.threat_level, t.threat_reason
from marts.fct_listing_competitor_threat t
where t.is_top_threat_for_listing
  and t.threat_score >= %(min_threat_score)s::numeric
order by t.threat_score desc, t.sku$tpl$,
 '{"min_threat_score": {"type": "numeric", "default": 0, "min": 0, "max": 100,
                        "description": "Leave out listings whose top threat scores lower (0-100)"}}',
 'csv', TRUE),

('attribution_outcomes',
 'What each content or price change did: measured effect per outcome with its interval and verdict.',
 $tpl$select l.sku, l.title as listing_title, e.change_type, e.change_timestamp::date as changed_on,
       e.change_source, x.outcome_metric, x.effect_pct, x.effect_ci_low_pct, x.effect_ci_high_pct, x.effect_pp,
       x.ci_level, x.mde_pct, x.confidence, x.verdict, x.verdict_reason, x.placebo_passed,
       jsonb_array_length(e.overlapping_changes) as overlapping_changes, e.summary
from analytics.attribution_events e
join analytics.attribution_estimates x on x.event_id = e.id
join catalog.listings l on l.id = e.listing_id
where e.change_timestamp >= %(start_date)s::date
  and (%(verdict)s::text = 'any' or x.verdict = %(verdict)s::text)
order by e.change_timestamp desc, l.sku, x.outcome_metric$tpl$,
 '{"start_date": {"type": "date", "default": "today-90d", "description": "Changes made on or after this day"},
   "verdict": {"type": "text", "default": "any", "choices": ["any", "improved", "worsened", "inconclusive"],
               "description": "Only outcomes with this verdict"}}',
 'xlsx', TRUE),

('task_backlog',
 'Open tasks on the board by priority: stage, listing, due date, days open, overdue.',
 $tpl$select t.title, t.task_type, s.name as stage, t.priority_score, t.due_date,
       coalesce(t.due_date < %(as_of)s::date, false) as is_overdue, l.sku, t.created_by,
       t.created_at::date as created_on, %(as_of)s::date - t.created_at::date as days_open,
       array_to_string(t.tags, ', ') as tags
from workflow.tasks t
join workflow.kanban_stages s on s.id = t.stage_id
left join catalog.listings l on l.id = t.listing_id
where t.completed_at is null
  and (%(task_type)s::text = 'any' or t.task_type = %(task_type)s::text)
order by t.priority_score desc nulls last, t.due_date nulls last, t.created_at$tpl$,
 '{"task_type": {"type": "text", "default": "any",
                 "choices": ["any", "optimization", "pricing", "competitive", "compliance", "launch", "other"],
                 "description": "Only tasks of this type"},
   "as_of": {"type": "date", "default": "today", "description": "The day overdue and days open are counted at"}}',
 'csv', TRUE)
ON CONFLICT (name) DO UPDATE
SET description = EXCLUDED.description, sql = EXCLUDED.sql, parameters = EXCLUDED.parameters,
    default_format = EXCLUDED.default_format, updated_at = now()
WHERE reporting.templates.is_builtin;
