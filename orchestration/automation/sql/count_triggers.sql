, counted AS (
    UPDATE workflow.automation_rules SET last_triggered_at = now(),
           trigger_count = trigger_count + (SELECT count(*) FROM claimed)
    WHERE id = %(rule)s AND EXISTS (SELECT 1 FROM claimed)
)
SELECT count(*) FROM claimed
