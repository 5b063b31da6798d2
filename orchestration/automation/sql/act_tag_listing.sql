, tagged AS (
    UPDATE catalog.listings l SET tags = array_append(coalesce(l.tags, '{}'), %(tag)s), updated_at = now()
    FROM claimed c
    WHERE l.id = c.entity_id AND NOT (%(tag)s = ANY(coalesce(l.tags, '{}')))
    RETURNING l.id, l.tags
), audited AS (
    INSERT INTO system.audit_log (entity_type, entity_id, action, changes, source, source_id)
    SELECT 'listing', t.id, 'update', jsonb_build_object('tags', jsonb_build_object('added', %(tag)s, 'new', t.tags)),
           'automation', %(rule)s::text
    FROM tagged t
)
