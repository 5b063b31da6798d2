, tasks AS (
    INSERT INTO workflow.tasks (id, title, description, task_type, listing_id, created_by, source_rule_id, tags)
    SELECT c.id, left(c.outcome->>'text', 255), coalesce(c.outcome->>'description', 'Why: ' || (c.outcome->>'why')), %(task_type)s,
           c.entity_id, 'rule', %(rule)s, ARRAY['automation']
    FROM claimed c
    -- names the rule as the actor of the task_events rows the insert triggers (set before the first row)
    WHERE set_config('listing_helper.actor', %(actor)s, true) IS NOT NULL
    RETURNING id, listing_id, title
), audited AS (
    INSERT INTO system.audit_log (entity_type, entity_id, action, changes, source, source_id)
    SELECT 'task', t.id, 'create', jsonb_build_object('title', t.title, 'listing_id', t.listing_id),
           'automation', %(rule)s::text
    FROM tasks t
)
