-- upsert_sales_and_traffic: for every day of a range, the latest raw.spapi_sales_and_traffic document of the
-- day (per marketplace) -> analytics.performance_metrics at that day's 00:00 UTC. Set-based: one statement
-- for the days of a month (a backfill of two years is 25 statements, not 730 per-day upserts).
-- Percentages: Amazon's 0-100 become fractions for page_views_pct and unit_session_pct (NUMERIC(5,4));
-- buy_box_pct stays in percentage points.

-- name: latest_documents
-- Traffic arrives late and is revised: the document landed last replaces the day's figures. A document
-- covers one day in one marketplace (load_document gives all its rows the same two), so its first row
-- says which; looking documents up this way reads one row per document, not every row of the range.
select distinct on (t.report_date, t.marketplace_id) d.report_document_id, t.report_date, t.marketplace_id
from raw.report_documents d
cross join lateral (
    select r.report_date, coalesce(r.marketplace_id, %(default_marketplace)s) as marketplace_id
    from raw.spapi_sales_and_traffic r
    where r.report_document_id = d.report_document_id
    order by r.line_number
    limit 1
) t
where d.report_type = 'GET_SALES_AND_TRAFFIC_REPORT' and t.report_date between %(first_day)s and %(last_day)s
order by t.report_date, t.marketplace_id, d._loaded_at desc, d.report_document_id desc

-- name: month_settings
-- For this transaction only. `checked` below is materialised once and read by every step; the planner has
-- no statistics for it, and a nested loop reads it again for every outer row (what made the per-day upsert
-- quadratic: remove_missing compared 27 million pairs a day at 10,000 listings). Hash joins read each side
-- once. A month of rows (some 220,000 at 10,000 listings) sorts and hashes in memory instead of on disk.
select set_config('enable_nestloop', 'off', true), set_config('work_mem', '64MB', true)

-- name: upsert
-- One statement: the days' rows are checked once (`checked`) and feed the quarantine, the inserts and
-- updates, and the removal of listings a day's latest document no longer lists. The insert and the update
-- touch different rows: `stored` says which exist (a concurrent writer of the same days makes the insert
-- fail on the primary key, and the retried run then updates).
with latest (report_document_id, report_date, marketplace_id) as (
    select * from unnest(%(documents)s::text[], %(days)s::date[], %(marketplaces)s::text[])
),
report as (
    -- A SKU listed twice in a document: its last line counts.
    select distinct on (t.report_document_id, btrim(t.sku))
           t.report_document_id, t.line_number, btrim(t.sku) as sku, l.marketplace_id, l.report_date,
           l.report_date::timestamp at time zone 'UTC' as time,
           t.sessions, t.page_views, t.page_views_pct, t.unit_session_pct, t.units_ordered,
           t.ordered_product_sales_amount, coalesce(t.ordered_product_sales_currency, 'GBP') as currency,
           t.buy_box_pct
    from raw.spapi_sales_and_traffic t
    join latest l on l.report_document_id = t.report_document_id
    -- The days' range too: the (report_date, sku) index finds a month's rows even before the table has
    -- statistics (during a backfill it often has none, and the documents alone then read as a full scan).
    where t.report_document_id = any(%(documents)s) and t.report_date between %(first_day)s and %(last_day)s
    order by t.report_document_id, btrim(t.sku), t.line_number desc
),
checked as materialized (
    select r.*, l.id as listing_id, m.listing_id is not null as stored,
           case
               when l.id is null then 'sku'
               when r.sessions not between 0 and 2147483647 then 'sessions'
               when r.page_views not between 0 and 2147483647 then 'page_views'
               when r.units_ordered not between 0 and 2147483647 then 'units_ordered'
               when r.page_views_pct not between 0 and 100 then 'page_views_pct'
               when r.unit_session_pct < 0 or r.unit_session_pct >= 999.995 then 'unit_session_pct'
               when r.buy_box_pct not between 0 and 100 then 'buy_box_pct'
               when r.ordered_product_sales_amount < 0 or r.ordered_product_sales_amount >= 10000000000 then 'ordered_product_sales_amount'
               when r.currency !~ '^[A-Z]{3}$' then 'ordered_product_sales_currency'
           end as problem_field
    from report r
    left join catalog.listings l on l.marketplace_id = r.marketplace_id and l.sku = r.sku
    left join analytics.performance_metrics m
           on m.listing_id = l.id and m.time = r.time and m.time between %(first_time)s and %(last_time)s
),
problems as (
    select c.report_document_id, c.line_number, c.problem_field,
           case c.problem_field
               when 'sku' then c.sku
               when 'sessions' then c.sessions::text
               when 'page_views' then c.page_views::text
               when 'units_ordered' then c.units_ordered::text
               when 'page_views_pct' then c.page_views_pct::text
               when 'unit_session_pct' then c.unit_session_pct::text
               when 'buy_box_pct' then c.buy_box_pct::text
               when 'ordered_product_sales_amount' then c.ordered_product_sales_amount::text
               when 'ordered_product_sales_currency' then c.currency
           end as problem_value,
           case c.problem_field
               when 'sku' then format('unknown SKU %%s in marketplace %%s: not in catalog.listings', c.sku, c.marketplace_id)
               when 'ordered_product_sales_currency' then 'currency is not a 3-letter code'
               when 'unit_session_pct' then 'unit session percentage is outside 0 to 999.99'
               when 'page_views_pct' then 'page views percentage is outside 0 to 100'
               when 'buy_box_pct' then 'Buy Box percentage is outside 0 to 100'
               else format('%%s is negative or too large', c.problem_field)
           end as problem_reason
    from checked c
    where c.problem_field is not null
),
quarantined as (
    insert into raw.quarantine (source, report_type, operation, source_document_id, line_number, field, value, reason,
                                dagster_run_id)
    select 'sp_api', 'GET_SALES_AND_TRAFFIC_REPORT', 'upsert_sales_and_traffic', p.report_document_id,
           p.line_number::integer, p.problem_field, p.problem_value, p.problem_reason, %(run_id)s
    from problems p
    where not exists (
        select 1 from raw.quarantine q
        where q.source = 'sp_api' and q.source_document_id = p.report_document_id
          and q.operation = 'upsert_sales_and_traffic' and q.line_number = p.line_number
          and q.field = p.problem_field and q.reason = p.problem_reason and q.resolved_at is null)
),
resolved as (
    -- A line quarantined by an earlier run that loads now (its SKU has since been created) is resolved.
    update raw.quarantine q
    set resolved_at = now()
    from checked t
    where q.source = 'sp_api' and q.operation = 'upsert_sales_and_traffic' and q.resolved_at is null
      and q.source_document_id = t.report_document_id and q.line_number = t.line_number
      and t.problem_field is null
),
figures as (
    -- The day's figures as stored: Amazon's 0-100 percentages as fractions, Buy Box in percentage points.
    select t.time, t.listing_id, t.stored, t.sessions, t.page_views, round(t.page_views_pct::numeric / 100, 4) as page_views_pct,
           t.units_ordered, round(t.unit_session_pct::numeric / 100, 4) as unit_session_pct,
           t.ordered_product_sales_amount as ordered_product_sales, t.currency,
           round(t.buy_box_pct::numeric, 2) as buy_box_pct, t.report_date
    from checked t
    where t.problem_field is null
),
inserted as (
    -- A plain insert for the listing-days not stored yet (all of them in a backfill): no ON CONFLICT, whose
    -- speculative insertion costs a second index probe per row. In key order: each month's index grows at
    -- its right edge instead of at random pages.
    insert into analytics.performance_metrics
           (time, listing_id, sessions, page_views, page_views_pct, units_ordered, unit_session_pct,
            ordered_product_sales, currency, buy_box_pct, report_date)
    select f.time, f.listing_id, f.sessions, f.page_views, f.page_views_pct, f.units_ordered, f.unit_session_pct,
           f.ordered_product_sales, f.currency, f.buy_box_pct, f.report_date
    from figures f
    where not f.stored
    order by f.listing_id, f.time
    returning 1
),
updated as (
    -- Revised figures replace stored ones; identical ones are not rewritten.
    update analytics.performance_metrics m
    set sessions = f.sessions, page_views = f.page_views, page_views_pct = f.page_views_pct,
        units_ordered = f.units_ordered, unit_session_pct = f.unit_session_pct,
        ordered_product_sales = f.ordered_product_sales, currency = f.currency, buy_box_pct = f.buy_box_pct,
        report_date = f.report_date
    from figures f
    where f.stored and m.listing_id = f.listing_id and m.time = f.time
      and m.time between %(first_time)s and %(last_time)s
      and (m.sessions, m.page_views, m.page_views_pct, m.units_ordered, m.unit_session_pct, m.ordered_product_sales,
           m.currency, m.buy_box_pct, m.report_date)
          is distinct from
          (f.sessions, f.page_views, f.page_views_pct, f.units_ordered, f.unit_session_pct, f.ordered_product_sales,
           f.currency, f.buy_box_pct, f.report_date)
    returning 1
),
removed as (
    -- The latest document is the whole day: a listing it no longer lists has no figures for that day.
    delete from analytics.performance_metrics m
    using latest d, catalog.listings l
    where m.time = d.report_date::timestamp at time zone 'UTC' and m.time between %(first_time)s and %(last_time)s
      and l.id = m.listing_id and l.marketplace_id = d.marketplace_id
      and not exists (select 1 from checked t where t.listing_id = m.listing_id and t.time = m.time)
    returning 1
)
select count(*) as rows_in_report,
       (select count(*) from inserted) as inserted,
       (select count(*) from updated) as updated,
       (select count(*) from removed) as removed,
       count(*) filter (where problem_field = 'sku') as unknown_sku,
       count(*) filter (where problem_field is not null) as quarantined
from checked
