-- upsert_fee_estimates: raw.spapi_fba_fee_estimates (one document) -> pricing.current_prices.referral_fee and
-- fba_fee, GBP per unit (Amazon quotes them ex VAT). A fee Amazon leaves blank keeps the stored value.

-- name: stage
create temp table fee_sync on commit drop as
with report as (
    select distinct on (btrim(f.sku))
           f.line_number, btrim(f.sku) as sku, f.currency,
           f.estimated_referral_fee_per_unit as referral_fee,
           coalesce(f.expected_fulfillment_fee_per_unit, f.expected_efn_fulfillment_fee_per_unit_uk) as fba_fee
    from raw.spapi_fba_fee_estimates f
    where f.report_document_id = %(document)s and btrim(f.sku) <> ''
    order by btrim(f.sku), f.line_number desc
),
checked as (
    select r.*, l.id as listing_id, p.id as price_id,
           case
               when l.id is null then 'sku'
               when r.currency is not null and upper(btrim(r.currency)) <> 'GBP' then 'currency'
               when r.referral_fee < 0 or r.referral_fee >= 100000000 then 'estimated_referral_fee_per_unit'
               when r.fba_fee < 0 or r.fba_fee >= 100000000 then 'expected_fulfillment_fee_per_unit'
           end as problem_field
    from report r
    left join catalog.listings l on l.marketplace_id = %(marketplace)s and l.sku = r.sku
    left join pricing.current_prices p on p.listing_id = l.id
)
select c.*,
       case c.problem_field
           when 'sku' then c.sku
           when 'currency' then c.currency
           when 'estimated_referral_fee_per_unit' then c.referral_fee::text
           when 'expected_fulfillment_fee_per_unit' then c.fba_fee::text
       end as problem_value,
       case c.problem_field
           when 'sku' then format('unknown SKU %%s in marketplace %%s: not in catalog.listings', c.sku, %(marketplace)s::text)
           when 'currency' then 'fees must be in GBP, the currency of pricing.current_prices'
           else format('%%s is negative or too large', c.problem_field)
       end as problem_reason
from checked c

-- name: quarantine
insert into raw.quarantine (source, report_type, operation, source_document_id, line_number, field, value, reason, dagster_run_id)
select 'sp_api', %(report_type)s, 'upsert_fee_estimates', %(document)s, s.line_number::integer, s.problem_field,
       s.problem_value, s.problem_reason, %(run_id)s
from fee_sync s
where s.problem_field is not null
  and not exists (
      select 1 from raw.quarantine q
      where q.source = 'sp_api' and q.source_document_id = %(document)s and q.operation = 'upsert_fee_estimates'
        and q.line_number = s.line_number and q.field = s.problem_field and q.reason = s.problem_reason)

-- name: update
update pricing.current_prices p
set referral_fee = coalesce(f.referral_fee, p.referral_fee),
    fba_fee = coalesce(f.fba_fee, p.fba_fee),
    updated_at = now()
from fee_sync f
where p.id = f.price_id and f.problem_field is null
  and (p.referral_fee, p.fba_fee) is distinct from (coalesce(f.referral_fee, p.referral_fee), coalesce(f.fba_fee, p.fba_fee))

-- name: counts
select count(*) as rows_in_report,
       count(*) filter (where problem_field is null and price_id is null) as no_price_row,
       count(*) filter (where problem_field = 'sku') as unknown_sku,
       count(*) filter (where problem_field is not null) as quarantined
from fee_sync
