-- upsert_suppressed: raw.spapi_suppressed_listings (one document) -> catalog.listings.status, with audit rows.

-- name: stage
-- Rows whose status still reads Active are at risk, not suppressed (Amazon lists both in this report).
create temp table suppression_sync on commit drop as
select distinct on (btrim(x.sku))
       x.line_number, btrim(x.sku) as sku, x.reason, x.issue_description,
       l.id as listing_id, l.status as old_status
from raw.spapi_suppressed_listings x
left join catalog.listings l on l.marketplace_id = %(marketplace)s and l.sku = btrim(x.sku)
where x.report_document_id = %(document)s
  and btrim(x.sku) <> ''
  and coalesce(lower(btrim(x.status)), '') not like 'active%%'
order by btrim(x.sku), x.line_number

-- name: quarantine_unknown
insert into raw.quarantine (source, report_type, operation, source_document_id, line_number, field, value, reason, dagster_run_id)
select 'sp_api', %(report_type)s, 'upsert_suppressed', %(document)s, s.line_number::integer, 'sku', s.sku,
       format('unknown SKU %%s in marketplace %%s: not in catalog.listings', s.sku, %(marketplace)s::text), %(run_id)s
from suppression_sync s
where s.listing_id is null
  and not exists (
      select 1 from raw.quarantine q
      where q.source = 'sp_api' and q.source_document_id = %(document)s and q.operation = 'upsert_suppressed'
        and q.line_number = s.line_number and q.field = 'sku')

-- name: suppress
with changed as (
    update catalog.listings l
    set status = 'suppressed', updated_at = now()
    from suppression_sync s
    where l.id = s.listing_id and l.status <> 'suppressed'
    returning l.id, s.old_status, coalesce(s.reason, s.issue_description) as reason
)
insert into system.audit_log (entity_type, entity_id, action, changes, source, source_id)
select 'listing', c.id, 'update',
       jsonb_build_object('status', jsonb_build_object('old', c.old_status, 'new', 'suppressed'),
                          'suppression_reason', jsonb_build_object('old', null, 'new', c.reason)),
       'sp_api_sync', %(run_id)s
from changed c

-- name: restore
-- A listing the sync suppressed and the report no longer names goes back to the status it had
-- before: the `old` of the audit row that suppressed it (the latest status change, made by the sync).
with lifted as (
    select l.id, coalesce(nullif(last_change.changes -> 'status' ->> 'old', 'suppressed'), 'active') as back_to
    from catalog.listings l
    cross join lateral (
        select a.changes, a.source
        from system.audit_log a
        where a.entity_type = 'listing' and a.entity_id = l.id and a.changes ? 'status'
        order by a.created_at desc
        limit 1
    ) last_change
    where l.marketplace_id = %(marketplace)s
      and l.status = 'suppressed'
      and last_change.source = 'sp_api_sync'
      and last_change.changes -> 'status' ->> 'new' = 'suppressed'
      and not exists (select 1 from suppression_sync s where s.listing_id = l.id)
),
changed as (
    update catalog.listings l
    set status = f.back_to, updated_at = now()
    from lifted f
    where l.id = f.id
    returning l.id, f.back_to
)
insert into system.audit_log (entity_type, entity_id, action, changes, source, source_id)
select 'listing', c.id, 'update',
       jsonb_build_object('status', jsonb_build_object('old', 'suppressed', 'new', c.back_to)),
       'sp_api_sync', %(run_id)s
from changed c

-- name: counts
select count(*) filter (where listing_id is not null) as listed,
       count(*) filter (where listing_id is null) as unknown_sku
from suppression_sync
