, counted AS (
    UPDATE workflow.automation_rules r SET last_triggered_at = now(), trigger_count = r.trigger_count + n.claimed
    FROM (SELECT rule_id, count(*) AS claimed FROM claimed GROUP BY rule_id) n
    WHERE r.id = n.rule_id
)
SELECT rule_id::text, count(*) FROM claimed GROUP BY rule_id
