, outbox AS (
    INSERT INTO workflow.alert_outbox (idempotency_key, channel, destination, severity, subject, payload,
                                       alert_id, rule_execution_id)
    SELECT 'rule:' || %(rule)s || ':' || c.entity_id || ':' || c.window_key, %(channel)s, %(destination)s,
           %(severity)s, c.outcome->>'text',
           jsonb_build_object('listing_id', c.entity_id, 'rule_id', %(rule)s, 'window', c.window_key,
                              'why', c.outcome->'why', 'facts', c.outcome->'facts'),
           CASE WHEN c.window_key LIKE 'alert:%%' THEN
                (SELECT a.id FROM competitors.alerts a WHERE a.id::text = substr(c.window_key, 7)) END,
           c.id
    FROM claimed c
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id, rule_execution_id
), audited AS (
    INSERT INTO system.audit_log (entity_type, entity_id, action, changes, source, source_id)
    SELECT 'alert', o.id, 'create', jsonb_build_object('rule_execution_id', o.rule_execution_id),
           'automation', %(rule)s::text
    FROM outbox o
)
