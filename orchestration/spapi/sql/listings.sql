-- upsert_listings: raw.spapi_merchant_listings (one document) -> catalog.listings, pricing.current_prices,
-- pricing.price_history, system.audit_log. Every statement reads the temp table listing_sync built first.

-- name: stage
-- One row per SKU of the document (the last line wins when a SKU repeats), with Amazon's values
-- mapped to ours, the listing's current values beside them, and what is wrong with the row if anything.
create temp table listing_sync on commit drop as
with report as (
    select distinct on (btrim(m.seller_sku))
           m.line_number,
           btrim(m.seller_sku) as sku,
           upper(btrim(m.asin)) as asin,
           m.item_name as title,
           m.status as amazon_status,
           case
               when m.status is null then null
               when lower(m.status) like '%%suppress%%' then 'suppressed'
               when lower(btrim(m.status)) like 'active%%' then 'active'
               when lower(btrim(m.status)) like 'inactive%%' then 'inactive'
               when lower(btrim(m.status)) like 'incomplete%%' then 'incomplete'
           end as status,
           case
               when upper(btrim(m.fulfillment_channel)) in ('DEFAULT', 'MERCHANT', 'MFN') then 'FBM'
               when upper(btrim(m.fulfillment_channel)) like 'AMAZON%%' or upper(btrim(m.fulfillment_channel)) = 'AFN' then 'FBA'
           end as fulfillment_channel,
           -- item-condition codes of the flat file -> Listings Items condition_type
           case btrim(m.item_condition)
               when '1' then 'used_like_new' when '2' then 'used_very_good' when '3' then 'used_good'
               when '4' then 'used_acceptable' when '5' then 'collectible_like_new'
               when '6' then 'collectible_very_good' when '7' then 'collectible_good'
               when '8' then 'collectible_acceptable' when '10' then 'refurbished_refurbished'
               when '11' then 'new_new'
           end as condition_type,
           m.price,
           encode(sha256(convert_to(jsonb_build_array(upper(btrim(m.asin)), m.item_name, m.status, m.fulfillment_channel,
                                                      m.item_condition, m.price)::text, 'UTF8')), 'hex') as sp_api_hash
    from raw.spapi_merchant_listings m
    where m.report_document_id = %(document)s
      and btrim(m.seller_sku) <> ''
    order by btrim(m.seller_sku), m.line_number desc
),
proposed as (
    select r.*,
           l.id as listing_id,
           l.id is null as is_new,
           coalesce(l.last_synced_at > %(synced_at)s, false) as is_stale,
           l.asin as old_asin, l.title as old_title, l.status as old_status,
           l.fulfillment_channel as old_fulfillment_channel, l.condition_type as old_condition_type,
           l.last_synced_at as old_synced_at, l.sp_api_hash as old_hash,
           p.price as old_price,
           coalesce(r.asin, l.asin) as new_asin,
           -- Once the catalog sync has versioned a listing's content, the title is the catalog's:
           -- two writers that disagree would flip it on every run.
           case when l.id is null
                  or not exists (select 1 from catalog.listing_versions v where v.listing_id = l.id)
                then coalesce(r.title, l.title) else l.title end as new_title,
           case when r.status is null then coalesce(l.status, 'active')
                -- only the suppressed-listings report lifts a suppression
                when l.status = 'suppressed' then 'suppressed'
                else r.status end as new_status,
           coalesce(r.fulfillment_channel, l.fulfillment_channel, 'FBM') as new_fulfillment_channel,
           coalesce(r.condition_type, l.condition_type, 'new_new') as new_condition_type,
           coalesce(r.price, p.price) as new_price,
           case
               when r.asin is not null and r.asin !~ '^[A-Z0-9]{10}$' then 'asin'
               when r.asin is null and l.id is null then 'asin'
               when length(r.sku) > 50 then 'seller_sku'
               when r.title is null and l.id is null then 'item_name'
               when r.price < 0 or r.price >= 100000000 then 'price'
           end as problem_field
    from report r
    left join catalog.listings l on l.marketplace_id = %(marketplace)s and l.sku = r.sku
    left join pricing.current_prices p on p.listing_id = l.id
)
select x.*,
       case x.problem_field
           when 'asin' then coalesce(x.asin, '')
           when 'seller_sku' then x.sku
           when 'price' then x.price::text
       end as problem_value,
       case x.problem_field
           when 'asin' then case when x.asin is null then 'no ASIN for a new listing'
                                 else format('asin %%L is not a 10-character ASIN', x.asin) end
           when 'seller_sku' then 'SKU is longer than 50 characters'
           when 'item_name' then 'no item-name (title) for a new listing'
           when 'price' then format('price %%s is outside 0 to 99,999,999.99', x.price)
       end as problem_reason,
       (select coalesce(jsonb_object_agg(f.field, jsonb_build_object('old', f.old, 'new', f.new)), '{}'::jsonb)
        from (values ('asin', to_jsonb(x.old_asin), to_jsonb(x.new_asin)),
                     ('title', to_jsonb(x.old_title), to_jsonb(x.new_title)),
                     ('status', to_jsonb(x.old_status), to_jsonb(x.new_status)),
                     ('fulfillment_channel', to_jsonb(x.old_fulfillment_channel), to_jsonb(x.new_fulfillment_channel)),
                     ('condition_type', to_jsonb(x.old_condition_type), to_jsonb(x.new_condition_type)),
                     ('price', to_jsonb(x.old_price), to_jsonb(x.new_price))) f(field, old, new)
        where f.old is distinct from f.new) as changes
from proposed x

-- name: counts
select count(*) filter (where problem_field is null and is_new) as inserted,
       count(*) filter (where problem_field is null and not is_new and not is_stale and changes <> '{}') as updated,
       count(*) filter (where problem_field is null and not is_new and not is_stale and changes = '{}') as unchanged,
       count(*) filter (where problem_field is null and is_stale) as stale,
       count(*) filter (where problem_field is not null) as quarantined,
       count(*) filter (where problem_field is null and amazon_status is not null and status is null) as unknown_status
from listing_sync

-- name: quarantine
insert into raw.quarantine (source, report_type, operation, source_document_id, line_number, field, value, reason, dagster_run_id)
select 'sp_api', %(report_type)s, 'upsert_listings', %(document)s, s.line_number::integer, s.problem_field,
       s.problem_value, s.problem_reason, %(run_id)s
from listing_sync s
where s.problem_field is not null
  and not exists (
      select 1 from raw.quarantine q
      where q.source = 'sp_api' and q.source_document_id = %(document)s and q.operation = 'upsert_listings'
        and q.line_number = s.line_number and q.field = s.problem_field and q.reason = s.problem_reason)

-- name: create
with created as (
    insert into catalog.listings (marketplace_id, sku, asin, title, status, fulfillment_channel, condition_type,
                                  last_synced_at, sp_api_hash)
    select %(marketplace)s, s.sku, s.new_asin, s.new_title, s.new_status, s.new_fulfillment_channel,
           s.new_condition_type, %(synced_at)s, s.sp_api_hash
    from listing_sync s
    where s.is_new and s.problem_field is null
    returning id, sku
),
audited as (
    insert into system.audit_log (entity_type, entity_id, action, changes, source, source_id)
    select 'listing', c.id, 'create', s.changes, 'sp_api_sync', %(run_id)s
    from created c join listing_sync s on s.sku = c.sku
)
update listing_sync s set listing_id = c.id from created c where c.sku = s.sku

-- name: update
-- Sync metadata moves on every newer document; updated_at only when a synced field changed.
update catalog.listings l
set asin = s.new_asin,
    title = s.new_title,
    status = s.new_status,
    fulfillment_channel = s.new_fulfillment_channel,
    condition_type = s.new_condition_type,
    last_synced_at = %(synced_at)s,
    sp_api_hash = s.sp_api_hash,
    updated_at = case when s.changes - 'price' <> '{}' then now() else l.updated_at end
from listing_sync s
where l.id = s.listing_id
  and not s.is_new and not s.is_stale and s.problem_field is null
  and (s.changes - 'price' <> '{}'
       or l.last_synced_at is distinct from %(synced_at)s
       or l.sp_api_hash is distinct from s.sp_api_hash)

-- name: audit_updates
insert into system.audit_log (entity_type, entity_id, action, changes, source, source_id)
select 'listing', s.listing_id, 'update', s.changes, 'sp_api_sync', %(run_id)s
from listing_sync s
where not s.is_new and not s.is_stale and s.problem_field is null and s.changes <> '{}'

-- name: prices
insert into pricing.current_prices as p (listing_id, price)
select s.listing_id, s.price
from listing_sync s
where s.price is not null and not s.is_stale and s.problem_field is null
on conflict (listing_id) do update
set price = excluded.price, updated_at = now()
where p.price is distinct from excluded.price

-- name: price_history
-- A history row only when the price differs from the latest one recorded (whatever its source).
insert into pricing.price_history (time, listing_id, price, source)
select %(synced_at)s, s.listing_id, s.price, 'sp_api'
from listing_sync s
left join lateral (
    select h.price from pricing.price_history h
    where h.listing_id = s.listing_id
    order by h.time desc
    limit 1
) latest on true
where s.price is not null and not s.is_stale and s.problem_field is null
  and latest.price is distinct from s.price
on conflict (listing_id, time) do nothing
