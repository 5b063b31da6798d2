, tasks AS (
    INSERT INTO workflow.tasks (id, title, description, task_type, listing_id, created_by, source_rule_id, tags,
                                priority_score, priority_breakdown)
    SELECT c.id, left(c.outcome->>'text', 255), coalesce(c.outcome->>'description', 'Why: ' || (c.outcome->>'why')),
           c.task_type, c.entity_id, 'rule', c.rule_id, ARRAY['automation'],
           -- scored before the insert (orchestration.tasks.priority.priorities), as a person's task would be
           c.priority, c.priority_breakdown
    FROM claimed_input c
    -- task_events names the rule from the row (0261_task_events_rule_actor.sql), not the session actor
    RETURNING id, listing_id, title, source_rule_id
), audited AS (
    INSERT INTO system.audit_log (entity_type, entity_id, action, changes, source, source_id)
    SELECT 'task', t.id, 'create', jsonb_build_object('title', t.title, 'listing_id', t.listing_id),
           'automation', t.source_rule_id::text
    FROM tasks t
)
