-- Each tag is added once per listing, by the first rule (in tick order) that claims it while the listing lacks
-- it; its audit row shows the listing's tags after that rule, as the per-rule path would have written them.
, firsts AS (
    SELECT DISTINCT ON (c.entity_id, c.tag) c.entity_id, c.tag, c.rule_id, c.ordinal
    FROM claimed_input c JOIN catalog.listings l ON l.id = c.entity_id
    WHERE NOT (c.tag = ANY(coalesce(l.tags, '{}')))
    ORDER BY c.entity_id, c.tag, c.ordinal, c.window_key
), added AS (
    SELECT f.*, array_agg(f.tag) OVER (PARTITION BY f.entity_id ORDER BY f.ordinal, f.tag) AS added_so_far
    FROM firsts f
), tagged AS (
    UPDATE catalog.listings l SET tags = coalesce(l.tags, '{}') || a.tags, updated_at = now()
    FROM (SELECT entity_id, array_agg(tag ORDER BY ordinal, tag) AS tags FROM firsts GROUP BY entity_id) a
    WHERE l.id = a.entity_id
    RETURNING l.id
), audited AS (
    -- every CTE reads the same snapshot: l.tags here are the tags before this statement
    INSERT INTO system.audit_log (entity_type, entity_id, action, changes, source, source_id)
    SELECT 'listing', a.entity_id, 'update',
           jsonb_build_object('tags', jsonb_build_object('added', a.tag,
                                                         'new', coalesce(l.tags, '{}') || a.added_so_far)),
           'automation', a.rule_id::text
    FROM added a JOIN catalog.listings l ON l.id = a.entity_id
)
