-- Claims the (rule, listing, window) rows of one rule's matches in workflow.rule_executions; ON CONFLICT
-- DO NOTHING makes a re-run of the window a no-op. The action fragments (act_*.sql) act for exactly the
-- rows claimed; alone (a rehearsal) it is followed by count_claimed.sql.
WITH input AS (
    SELECT * FROM unnest(%(listing)s::uuid[], %(window)s::text[], %(text)s::text[], %(why)s::jsonb[])
        AS i(listing_id, window_key, text, why)
), claimed AS (
    INSERT INTO workflow.rule_executions (id, rule_id, entity_type, entity_id, window_key, action, dry_run, status,
                                          outcome, dagster_run_id, created_at, finished_at)
    SELECT gen_random_uuid(), %(rule)s, 'listing', listing_id, window_key, %(action)s, %(dry)s, 'succeeded',
           why || jsonb_build_object('text', text, 'dry_run', %(dry)s), %(run)s, %(at)s, now()
    FROM input
    ON CONFLICT (rule_id, entity_id, window_key) DO NOTHING
    RETURNING id, entity_id, window_key, outcome
)
