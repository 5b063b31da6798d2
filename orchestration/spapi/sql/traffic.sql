-- upsert_sales_and_traffic: the latest raw.spapi_sales_and_traffic document for a day (per marketplace)
-- -> analytics.performance_metrics at that day's 00:00 UTC. Percentages: Amazon's 0-100 become fractions
-- for page_views_pct and unit_session_pct (NUMERIC(5,4)); buy_box_pct stays in percentage points.

-- name: latest_documents
-- Traffic arrives late and is revised: the document landed last replaces the day's figures.
select distinct on (coalesce(t.marketplace_id, %(default_marketplace)s))
       t.report_document_id, coalesce(t.marketplace_id, %(default_marketplace)s) as marketplace_id
from raw.spapi_sales_and_traffic t
join raw.report_documents d on d.report_document_id = t.report_document_id
where t.report_date = %(day)s
order by coalesce(t.marketplace_id, %(default_marketplace)s), d._loaded_at desc, t.report_document_id desc

-- name: stage
create temp table traffic_day on commit drop as
with report as (
    select distinct on (t.report_document_id, btrim(t.sku))
           t.report_document_id, t.line_number, btrim(t.sku) as sku,
           coalesce(t.marketplace_id, %(default_marketplace)s) as marketplace_id,
           t.sessions, t.page_views, t.page_views_pct, t.unit_session_pct, t.units_ordered,
           t.ordered_product_sales_amount, coalesce(t.ordered_product_sales_currency, 'GBP') as currency,
           t.buy_box_pct
    from raw.spapi_sales_and_traffic t
    where t.report_date = %(day)s and t.report_document_id = any(%(documents)s)
    order by t.report_document_id, btrim(t.sku), t.line_number desc
),
checked as (
    select r.*, l.id as listing_id,
           exists (select 1 from analytics.performance_metrics m where m.listing_id = l.id and m.time = %(time)s) as stored,
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
)
select c.*,
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

-- name: quarantine
insert into raw.quarantine (source, report_type, operation, source_document_id, line_number, field, value, reason, dagster_run_id)
select 'sp_api', 'GET_SALES_AND_TRAFFIC_REPORT', 'upsert_sales_and_traffic', t.report_document_id, t.line_number::integer,
       t.problem_field, t.problem_value, t.problem_reason, %(run_id)s
from traffic_day t
where t.problem_field is not null
  and not exists (
      select 1 from raw.quarantine q
      where q.source = 'sp_api' and q.source_document_id = t.report_document_id
        and q.operation = 'upsert_sales_and_traffic' and q.line_number = t.line_number
        and q.field = t.problem_field and q.reason = t.problem_reason and q.resolved_at is null)

-- name: resolve_quarantine
-- A line quarantined by an earlier run that loads now (its SKU has since been created) is resolved.
update raw.quarantine q
set resolved_at = now()
from traffic_day t
where q.source = 'sp_api' and q.operation = 'upsert_sales_and_traffic' and q.resolved_at is null
  and q.source_document_id = t.report_document_id and q.line_number = t.line_number
  and t.problem_field is null

-- name: upsert
-- (xmax = 0 cannot tell inserts from updates on a partitioned table: `stored` in the stage does.)
insert into analytics.performance_metrics as m
       (time, listing_id, sessions, page_views, page_views_pct, units_ordered, unit_session_pct,
        ordered_product_sales, currency, buy_box_pct, report_date)
select %(time)s, t.listing_id, t.sessions, t.page_views, round(t.page_views_pct::numeric / 100, 4), t.units_ordered,
       round(t.unit_session_pct::numeric / 100, 4), t.ordered_product_sales_amount, t.currency,
       round(t.buy_box_pct::numeric, 2), %(day)s
from traffic_day t
where t.problem_field is null
on conflict (listing_id, time) do update
set sessions = excluded.sessions, page_views = excluded.page_views, page_views_pct = excluded.page_views_pct,
    units_ordered = excluded.units_ordered, unit_session_pct = excluded.unit_session_pct,
    ordered_product_sales = excluded.ordered_product_sales, currency = excluded.currency,
    buy_box_pct = excluded.buy_box_pct, report_date = excluded.report_date
where (m.sessions, m.page_views, m.page_views_pct, m.units_ordered, m.unit_session_pct, m.ordered_product_sales,
       m.currency, m.buy_box_pct, m.report_date)
      is distinct from
      (excluded.sessions, excluded.page_views, excluded.page_views_pct, excluded.units_ordered, excluded.unit_session_pct,
       excluded.ordered_product_sales, excluded.currency, excluded.buy_box_pct, excluded.report_date)
-- name: remove_missing
-- The latest document is the whole day: a listing it no longer lists has no figures for that day.
delete from analytics.performance_metrics m
using catalog.listings l
where m.time = %(time)s and l.id = m.listing_id and l.marketplace_id = any(%(marketplaces)s)
  and not exists (select 1 from traffic_day t where t.listing_id = m.listing_id)

-- name: counts
select count(*) as rows_in_report,
       count(*) filter (where problem_field is null and not stored) as inserted,
       count(*) filter (where problem_field = 'sku') as unknown_sku,
       count(*) filter (where problem_field is not null) as quarantined
from traffic_day
