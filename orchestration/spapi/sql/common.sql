-- Statements every upsert shares: which document, when and for which marketplace; partitions.

-- name: document
-- A report's sync time is when Amazon finished it (else when we landed it): derived from the
-- document, never now(), so re-running an upsert writes the same timestamps again.
select d.report_type,
       coalesce(r.completed_at, d._loaded_at) as synced_at,
       d._loaded_at as loaded_at,
       coalesce(r.marketplace_ids[1],
                (select s.value #>> '{}' from system.settings s where s.key = 'locale.marketplace_id'),
                'A1F83G8C2ARO7P') as marketplace_id
from raw.report_documents d
left join raw.report_requests r on r.id = d.report_request_id
where d.report_document_id = %(document)s

-- name: default_marketplace
select coalesce((select s.value #>> '{}' from system.settings s where s.key = 'locale.marketplace_id'),
                'A1F83G8C2ARO7P')

-- name: newer_document
-- Has a later document of the same report type landed? Replaying an old snapshot must not undo it.
select exists (
    select 1
    from raw.report_documents newer
    where newer.report_type = %(report_type)s
      and newer._loaded_at > %(loaded_at)s
      and newer.row_count is not null
)

-- name: ensure_partitions
select system.ensure_partitions(%(table)s, %(from)s, %(to)s)
