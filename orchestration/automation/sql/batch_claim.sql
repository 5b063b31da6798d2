-- The batched tick (orchestration/automation/batch.py): claims the (rule, listing, window) rows of many rules'
-- matches, one action type, in one statement; the batch_act_*.sql fragments act for exactly the rows claimed,
-- as claim_windows.sql + act_*.sql do for one rule. %(ordinal)s is the rule's place in the tick (name order):
-- where two rules touch the same listing, the earlier one acts first, as in the per-rule path.
WITH input AS (
    SELECT * FROM unnest(%(rule)s::uuid[], %(ordinal)s::int[], %(listing)s::uuid[], %(window)s::text[],
                         %(text)s::text[], %(why)s::jsonb[], %(task_type)s::text[], %(severity)s::text[],
                         %(channel)s::text[], %(destination)s::text[], %(tag)s::text[],
                         %(priority)s::numeric[], %(priority_breakdown)s::jsonb[])
        AS i(rule_id, ordinal, listing_id, window_key, text, why, task_type, severity, channel, destination, tag,
             priority, priority_breakdown)
), claimed AS (
    INSERT INTO workflow.rule_executions (id, rule_id, entity_type, entity_id, window_key, action, dry_run, status,
                                          outcome, dagster_run_id, created_at, finished_at)
    SELECT gen_random_uuid(), rule_id, 'listing', listing_id, window_key, %(action)s, %(dry)s, 'succeeded',
           why || jsonb_build_object('text', text, 'dry_run', %(dry)s), %(run)s, %(at)s, now()
    FROM input
    ORDER BY ordinal, window_key, listing_id
    ON CONFLICT (rule_id, entity_id, window_key) DO NOTHING
    RETURNING id, rule_id, entity_id, window_key, outcome
), claimed_input AS (
    SELECT c.id, c.rule_id, c.entity_id, c.window_key, c.outcome, i.ordinal, i.task_type, i.severity, i.channel,
           i.destination, i.tag, i.priority, i.priority_breakdown
    FROM claimed c
    JOIN input i ON i.rule_id = c.rule_id AND i.listing_id = c.entity_id AND i.window_key = c.window_key
)
