-- import_supply_files: staged spreadsheet rows (supplier_in, component_in, price_in, bom_in, problem_in,
-- filled from Python) -> inventory.suppliers, components, component_prices, bill_of_materials, and the
-- rows that cannot load -> raw.quarantine (source 'manual_upload').

-- name: create_supplier_in
create temp table supplier_in (
    line_number integer, raw_record text, code text, name text, country text, currency text,
    lead_time_days integer, import_duty_pct numeric, shipping_cost_per_unit numeric, payment_terms text
) on commit drop

-- name: create_component_in
create temp table component_in (
    line_number integer, raw_record text, sku text, description text, unit_of_measure text, default_supplier_code text
) on commit drop

-- name: create_price_in
create temp table price_in (
    line_number integer, raw_record text, component_sku text, supplier_code text, min_quantity integer,
    unit_cost numeric, currency text, valid_from date, valid_to date, fx_rate_to_gbp numeric
) on commit drop

-- name: create_bom_in
create temp table bom_in (
    line_number integer, raw_record text, listing_sku text, component_sku text, quantity numeric, notes text
) on commit drop

-- name: create_problem_in
create temp table problem_in (
    file text, line_number integer, field text, value text, reason text, raw_record text
) on commit drop

-- name: upsert_suppliers
insert into inventory.suppliers as s (code, name, country, is_domestic, lead_time_days, payment_terms)
select i.code, i.name, i.country, i.country = 'GB', i.lead_time_days, i.payment_terms
from supplier_in i
on conflict (code) do update
set name = excluded.name, country = excluded.country, is_domestic = excluded.is_domestic,
    lead_time_days = excluded.lead_time_days, payment_terms = excluded.payment_terms, updated_at = now()
where (s.name, s.country, s.is_domestic, s.lead_time_days, s.payment_terms)
      is distinct from (excluded.name, excluded.country, excluded.is_domestic, excluded.lead_time_days, excluded.payment_terms)
returning (xmax = 0) as inserted

-- name: check_components
insert into problem_in (file, line_number, field, value, reason, raw_record)
select 'components.csv', i.line_number, 'default_supplier_code', i.default_supplier_code,
       format('unknown supplier %%s: not in suppliers.csv or inventory.suppliers', i.default_supplier_code), i.raw_record
from component_in i
where i.default_supplier_code is not null
  and not exists (select 1 from inventory.suppliers s where s.code = i.default_supplier_code)

-- name: upsert_components
insert into inventory.components as c (sku, name, description, unit_of_measure, default_supplier_id)
select i.sku, left(coalesce(i.description, i.sku), 255), i.description, i.unit_of_measure, s.id
from component_in i
left join inventory.suppliers s on s.code = i.default_supplier_code
where not exists (select 1 from problem_in p where p.file = 'components.csv' and p.line_number = i.line_number)
on conflict (sku) do update
set name = excluded.name, description = excluded.description, unit_of_measure = excluded.unit_of_measure,
    default_supplier_id = excluded.default_supplier_id, updated_at = now()
where (c.name, c.description, c.unit_of_measure, c.default_supplier_id)
      is distinct from (excluded.name, excluded.description, excluded.unit_of_measure, excluded.default_supplier_id)
returning (xmax = 0) as inserted

-- name: stage_prices
-- Currency: the row's, else its supplier's, else GBP. Rate to GBP (GBP per unit of the currency): the
-- row's fx_rate_to_gbp, else the caller's rates, else setting fx.rates_to_gbp, else the stored row's.
-- Duty and freight come from the supplier's row of this import, else the stored price row, else 0.
-- Freight is GBP per unit; the table wants the price currency per consignment of shipping_units, so
-- a GBP freight with 3-4 places is kept per 100 units and a converted one per 1000 (no pennies lost).
create temp table price_ready on commit drop as
with resolved as (
    select i.*, c.id as component_id, s.id as supplier_id,
           coalesce(i.currency, f.currency, 'GBP') as price_currency,
           f.shipping_cost_per_unit as freight_gbp,
           coalesce(f.import_duty_pct, old.import_duty_pct, 0) as duty_pct,
           old.fx_rate_to_gbp as old_fx, old.shipping_cost as old_shipping_cost, old.shipping_units as old_shipping_units
    from price_in i
    left join inventory.components c on c.sku = i.component_sku
    left join inventory.suppliers s on s.code = i.supplier_code
    left join supplier_in f on f.code = i.supplier_code
    left join inventory.component_prices old
           on old.component_id = c.id and old.supplier_id = s.id and old.min_quantity = i.min_quantity
          and old.valid_from = i.valid_from
),
rated as (
    select r.*,
           -- rounded as the column stores it, so freight is converted with the stored rate
           case when r.price_currency = 'GBP' then null
                else round(coalesce(r.fx_rate_to_gbp,
                              (%(fx_rates)s::jsonb ->> r.price_currency)::numeric,
                              (select case when jsonb_typeof(st.value -> r.price_currency) = 'number'
                                                and (st.value ->> r.price_currency)::numeric > 0
                                           then (st.value ->> r.price_currency)::numeric end
                               from system.settings st where st.key = 'fx.rates_to_gbp'),
                              r.old_fx), 6) end as fx
    from resolved r
)
select r.*,
       case when r.freight_gbp is null then coalesce(r.old_shipping_cost, 0)
            when r.price_currency = 'GBP' and r.freight_gbp = round(r.freight_gbp, 2) then r.freight_gbp
            when r.price_currency = 'GBP' then r.freight_gbp * 100
            else round(r.freight_gbp / r.fx * 1000, 2) end as shipping_cost,
       case when r.freight_gbp is null then coalesce(r.old_shipping_units, 1)
            when r.price_currency = 'GBP' and r.freight_gbp = round(r.freight_gbp, 2) then 1
            when r.price_currency = 'GBP' then 100
            else 1000 end as shipping_units
from rated r

-- name: check_prices
insert into problem_in (file, line_number, field, value, reason, raw_record)
select 'component_prices.csv', p.line_number, x.field, x.value, x.reason, p.raw_record
from price_ready p
cross join lateral (
    select case when p.component_id is null then 'component_sku'
                when p.supplier_id is null then 'supplier_code'
                when p.price_currency <> 'GBP' and p.fx is null then 'currency'
                when p.shipping_cost >= 100000000 then 'shipping_cost_per_unit' end as field,
           case when p.component_id is null then p.component_sku
                when p.supplier_id is null then p.supplier_code
                when p.price_currency <> 'GBP' and p.fx is null then p.price_currency
                else p.freight_gbp::text end as value,
           case when p.component_id is null
                then format('unknown component %%s: not in components.csv or inventory.components', p.component_sku)
                when p.supplier_id is null
                then format('unknown supplier %%s: not in suppliers.csv or inventory.suppliers', p.supplier_code)
                when p.price_currency <> 'GBP' and p.fx is null
                then format('no rate to GBP for %%s: add an fx_rate_to_gbp column, pass fx_rates_to_gbp, '
                            'or set system.settings fx.rates_to_gbp', p.price_currency)
                else 'freight per consignment is too large' end as reason
) x
where x.field is not null

-- name: upsert_prices
insert into inventory.component_prices as cp
       (component_id, supplier_id, unit_cost, currency, fx_rate_to_gbp, min_quantity, valid_from, valid_to,
        import_duty_pct, shipping_cost, shipping_units)
select p.component_id, p.supplier_id, p.unit_cost, p.price_currency, p.fx, p.min_quantity, p.valid_from, p.valid_to,
       p.duty_pct, p.shipping_cost, p.shipping_units
from price_ready p
where not exists (select 1 from problem_in x where x.file = 'component_prices.csv' and x.line_number = p.line_number)
on conflict (component_id, supplier_id, min_quantity, valid_from) do update
set unit_cost = excluded.unit_cost, currency = excluded.currency, fx_rate_to_gbp = excluded.fx_rate_to_gbp,
    valid_to = excluded.valid_to, import_duty_pct = excluded.import_duty_pct,
    shipping_cost = excluded.shipping_cost, shipping_units = excluded.shipping_units
where (cp.unit_cost, cp.currency, cp.fx_rate_to_gbp, cp.valid_to, cp.import_duty_pct, cp.shipping_cost, cp.shipping_units)
      is distinct from (excluded.unit_cost, excluded.currency, excluded.fx_rate_to_gbp, excluded.valid_to,
                        excluded.import_duty_pct, excluded.shipping_cost, excluded.shipping_units)
returning (xmax = 0) as inserted

-- name: stage_bom
create temp table bom_ready on commit drop as
select i.*, l.id as listing_id, c.id as component_id
from bom_in i
left join catalog.listings l on l.marketplace_id = %(marketplace)s and l.sku = i.listing_sku
left join inventory.components c on c.sku = i.component_sku

-- name: check_bom
insert into problem_in (file, line_number, field, value, reason, raw_record)
select 'bill_of_materials.csv', b.line_number,
       case when b.listing_id is null then 'listing_sku' else 'component_sku' end,
       case when b.listing_id is null then b.listing_sku else b.component_sku end,
       case when b.listing_id is null
            then format('unknown listing SKU %%s in marketplace %%s: not in catalog.listings', b.listing_sku, %(marketplace)s::text)
            else format('unknown component %%s: not in components.csv or inventory.components', b.component_sku) end,
       b.raw_record
from bom_ready b
where b.listing_id is null or b.component_id is null

-- name: upsert_bom
insert into inventory.bill_of_materials as b (listing_id, component_id, quantity, notes)
select r.listing_id, r.component_id, r.quantity, r.notes
from bom_ready r
where not exists (select 1 from problem_in x where x.file = 'bill_of_materials.csv' and x.line_number = r.line_number)
on conflict (listing_id, component_id) do update
set quantity = excluded.quantity, notes = excluded.notes, updated_at = now()
where (b.quantity, b.notes) is distinct from (excluded.quantity, excluded.notes)
returning (xmax = 0) as inserted

-- name: remove_bom_lines
-- The file is the whole BOM of each listing it names: a component no longer listed for it is removed.
-- Not while the file has quarantined lines: a bad line may be the one that still belongs.
delete from inventory.bill_of_materials b
using bom_ready r
where b.listing_id = r.listing_id
  and not exists (select 1 from problem_in x where x.file = 'bill_of_materials.csv')
  and not exists (select 1 from bom_ready k where k.listing_id = b.listing_id and k.component_id = b.component_id)

-- name: resolve_quarantine
-- Entries of files read this time that are no longer problems (the seller fixed the line) are resolved.
update raw.quarantine q
set resolved_at = now()
where q.source = 'manual_upload' and q.operation = 'import_supply_files' and q.resolved_at is null
  and q.source_document_id = any(%(files)s)
  and not exists (
      select 1 from problem_in p
      where p.file = q.source_document_id and p.line_number = q.line_number and p.field is not distinct from q.field
        and p.reason = q.reason and p.value is not distinct from q.value)

-- name: quarantine
insert into raw.quarantine (source, operation, source_document_id, line_number, field, value, reason, raw_record, dagster_run_id)
select distinct 'manual_upload', 'import_supply_files', p.file, p.line_number, p.field, p.value, p.reason, p.raw_record,
       %(run_id)s::varchar
from problem_in p
where not exists (
    select 1 from raw.quarantine q
    where q.source = 'manual_upload' and q.operation = 'import_supply_files' and q.resolved_at is null
      and q.source_document_id = p.file and q.line_number = p.line_number and q.field is not distinct from p.field
      and q.reason = p.reason and q.value is not distinct from p.value)

-- name: staged_good
-- Rows of each file that passed every check: what the upserts saw (the rest of them were unchanged).
select (select count(*) from supplier_in i where not exists
            (select 1 from problem_in p where p.file = 'suppliers.csv' and p.line_number = i.line_number)) as suppliers,
       (select count(*) from component_in i where not exists
            (select 1 from problem_in p where p.file = 'components.csv' and p.line_number = i.line_number)) as components,
       (select count(*) from price_ready i where not exists
            (select 1 from problem_in p where p.file = 'component_prices.csv' and p.line_number = i.line_number)) as component_prices,
       (select count(*) from bom_ready i where not exists
            (select 1 from problem_in p where p.file = 'bill_of_materials.csv' and p.line_number = i.line_number)) as bom_lines,
       (select count(*) from problem_in) as quarantined
