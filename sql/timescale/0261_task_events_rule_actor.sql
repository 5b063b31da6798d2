-- 0261_task_events_rule_actor: the creation event of a task is written once per INSERT statement (a statement
-- trigger over the inserted rows) instead of once per row, and a task a rule creates names the rule as the
-- actor, from the row itself (created_by 'rule', source_rule_id). The rules engine inserts the tasks of many
-- rules in one statement (docs/decisions/2026-11-26-automation-batched-tick.md): one session setting
-- (listing_helper.actor) cannot name a different rule per row, and a per-row trigger was a third of the cost
-- of creating a task. Stage moves (UPDATE OF stage_id) keep the per-row trigger and the session's actor.

CREATE OR REPLACE FUNCTION workflow.tasks_record_stage_move() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.stage_id IS DISTINCT FROM OLD.stage_id THEN
        INSERT INTO workflow.task_events (task_id, from_stage_id, to_stage_id, moved_by)
        VALUES (NEW.id, OLD.stage_id, NEW.stage_id,
                COALESCE(NULLIF(current_setting('listing_helper.actor', TRUE), ''), current_user));
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION workflow.tasks_record_creation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO workflow.task_events (task_id, from_stage_id, to_stage_id, moved_by)
    SELECT c.id, NULL, c.stage_id,
           COALESCE(CASE WHEN c.created_by = 'rule' AND c.source_rule_id IS NOT NULL
                         THEN 'rule:' || c.source_rule_id END,
                    NULLIF(current_setting('listing_helper.actor', TRUE), ''), current_user)
    FROM created c;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS tasks_record_stage_move ON workflow.tasks;
CREATE TRIGGER tasks_record_stage_move
    AFTER UPDATE OF stage_id ON workflow.tasks
    FOR EACH ROW EXECUTE FUNCTION workflow.tasks_record_stage_move();

DROP TRIGGER IF EXISTS tasks_record_creation ON workflow.tasks;
CREATE TRIGGER tasks_record_creation
    AFTER INSERT ON workflow.tasks
    REFERENCING NEW TABLE AS created
    FOR EACH STATEMENT EXECUTE FUNCTION workflow.tasks_record_creation();
