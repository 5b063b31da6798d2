-- upsert_inventory: raw.spapi_fba_inventory (one document) -> inventory.stock (current, FBA, the fulfilment
-- network as location) and inventory.stock_history (a snapshot at the report's time).

-- name: stage
create temp table stock_sync on commit drop as
with report as (
    select distinct on (btrim(i.sku))
           i.line_number, btrim(i.sku) as sku,
           coalesce(i.afn_fulfillable_quantity, 0) as fulfillable,
           coalesce(i.afn_inbound_working_quantity, 0) as inbound_working,
           coalesce(i.afn_inbound_shipped_quantity, 0) as inbound_shipped,
           coalesce(i.afn_inbound_receiving_quantity, 0) as inbound_receiving,
           coalesce(i.afn_reserved_quantity, 0) as reserved,
           coalesce(i.afn_unsellable_quantity, 0) as unfulfillable
    from raw.spapi_fba_inventory i
    where i.report_document_id = %(document)s
      and btrim(i.sku) <> ''
      and i.afn_listing_exists is distinct from false
    order by btrim(i.sku), i.line_number desc
),
checked as (
    select r.*, l.id as listing_id,
           case
               when l.id is null then 'sku'
               when r.fulfillable not between 0 and 2147483647 then 'afn_fulfillable_quantity'
               when r.inbound_working not between 0 and 2147483647 then 'afn_inbound_working_quantity'
               when r.inbound_shipped not between 0 and 2147483647 then 'afn_inbound_shipped_quantity'
               when r.inbound_receiving not between 0 and 2147483647 then 'afn_inbound_receiving_quantity'
               when r.inbound_working + r.inbound_shipped + r.inbound_receiving > 2147483647 then 'afn_inbound_working_quantity'
               when r.reserved not between 0 and 2147483647 then 'afn_reserved_quantity'
               when r.unfulfillable not between 0 and 2147483647 then 'afn_unsellable_quantity'
           end as problem_field
    from report r
    left join catalog.listings l on l.marketplace_id = %(marketplace)s and l.sku = r.sku
)
select c.*,
       case c.problem_field
           when 'sku' then c.sku
           when 'afn_fulfillable_quantity' then c.fulfillable::text
           when 'afn_inbound_working_quantity' then c.inbound_working::text
           when 'afn_inbound_shipped_quantity' then c.inbound_shipped::text
           when 'afn_inbound_receiving_quantity' then c.inbound_receiving::text
           when 'afn_reserved_quantity' then c.reserved::text
           when 'afn_unsellable_quantity' then c.unfulfillable::text
       end as problem_value,
       case c.problem_field
           when 'sku' then format('unknown SKU %%s in marketplace %%s: not in catalog.listings', c.sku, %(marketplace)s::text)
           else format('%%s is negative or too large', c.problem_field)
       end as problem_reason
from checked c

-- name: quarantine
insert into raw.quarantine (source, report_type, operation, source_document_id, line_number, field, value, reason, dagster_run_id)
select 'sp_api', %(report_type)s, 'upsert_inventory', %(document)s, s.line_number::integer, s.problem_field,
       s.problem_value, s.problem_reason, %(run_id)s
from stock_sync s
where s.problem_field is not null
  and not exists (
      select 1 from raw.quarantine q
      where q.source = 'sp_api' and q.source_document_id = %(document)s and q.operation = 'upsert_inventory'
        and q.line_number = s.line_number and q.field = s.problem_field and q.reason = s.problem_reason)

-- name: upsert_stock
-- An older document never overwrites a newer count; as_of moves with every newer count, updated_at
-- only when a quantity changed.
insert into inventory.stock as s
       (listing_id, fulfillment_channel, location, fulfillable_qty, inbound_working_qty, inbound_shipped_qty,
        inbound_receiving_qty, reserved_qty, unfulfillable_qty, source, as_of)
select t.listing_id, 'FBA', %(location)s, t.fulfillable, t.inbound_working, t.inbound_shipped, t.inbound_receiving,
       t.reserved, t.unfulfillable, 'sp_api', %(as_of)s
from stock_sync t
where t.problem_field is null
on conflict (listing_id, fulfillment_channel, location) do update
set fulfillable_qty = excluded.fulfillable_qty, inbound_working_qty = excluded.inbound_working_qty,
    inbound_shipped_qty = excluded.inbound_shipped_qty, inbound_receiving_qty = excluded.inbound_receiving_qty,
    reserved_qty = excluded.reserved_qty, unfulfillable_qty = excluded.unfulfillable_qty,
    source = excluded.source, as_of = excluded.as_of,
    updated_at = case
        when (s.fulfillable_qty, s.inbound_working_qty, s.inbound_shipped_qty, s.inbound_receiving_qty,
              s.reserved_qty, s.unfulfillable_qty)
             is distinct from
             (excluded.fulfillable_qty, excluded.inbound_working_qty, excluded.inbound_shipped_qty,
              excluded.inbound_receiving_qty, excluded.reserved_qty, excluded.unfulfillable_qty)
        then now() else s.updated_at end
where excluded.as_of >= s.as_of
  and (s.fulfillable_qty, s.inbound_working_qty, s.inbound_shipped_qty, s.inbound_receiving_qty, s.reserved_qty,
       s.unfulfillable_qty, s.source, s.as_of)
      is distinct from
      (excluded.fulfillable_qty, excluded.inbound_working_qty, excluded.inbound_shipped_qty,
       excluded.inbound_receiving_qty, excluded.reserved_qty, excluded.unfulfillable_qty, excluded.source, excluded.as_of)
returning (xmax = 0) as inserted

-- name: history
insert into inventory.stock_history as h (time, listing_id, fulfillable_qty, inbound_qty, reserved_qty, unfulfillable_qty)
select %(as_of)s, t.listing_id, t.fulfillable, t.inbound_working + t.inbound_shipped + t.inbound_receiving,
       t.reserved, t.unfulfillable
from stock_sync t
where t.problem_field is null
on conflict (listing_id, time) do update
set fulfillable_qty = excluded.fulfillable_qty, inbound_qty = excluded.inbound_qty,
    reserved_qty = excluded.reserved_qty, unfulfillable_qty = excluded.unfulfillable_qty
where (h.fulfillable_qty, h.inbound_qty, h.reserved_qty, h.unfulfillable_qty)
      is distinct from (excluded.fulfillable_qty, excluded.inbound_qty, excluded.reserved_qty, excluded.unfulfillable_qty)

-- name: counts
select count(*) as rows_in_report,
       count(*) filter (where problem_field = 'sku') as unknown_sku,
       count(*) filter (where problem_field is not null) as quarantined
from stock_sync
