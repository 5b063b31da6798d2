-- 0260_task_priority_and_changes: what a completed task produced (the listing change it links to), the
-- settings of the task priority score, and the link from later attribution events back to the task
-- (docs/decisions/2026-11-26-task-priority.md). Re-running keeps the seller's values.

ALTER TABLE workflow.tasks
    -- The listing change the task produced, found when it is completed: a catalog.listing_versions row
    -- (content) or a pricing.price_changes row (price). Not a FK: it points into one of two tables.
    ADD COLUMN IF NOT EXISTS change_source VARCHAR(20) CHECK (change_source IN ('listing_version', 'price_change')),
    ADD COLUMN IF NOT EXISTS change_id     UUID;

CREATE INDEX IF NOT EXISTS idx_tasks_change ON workflow.tasks (change_id) WHERE change_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_attribution_task ON analytics.attribution_events (task_id) WHERE task_id IS NOT NULL;

-- An attribution event recorded after the task was completed finds its task by the change id.
CREATE OR REPLACE FUNCTION workflow.attribution_event_task() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.task_id IS NULL AND NEW.change_id IS NOT NULL THEN
        SELECT t.id INTO NEW.task_id FROM workflow.tasks t
        WHERE t.change_id = NEW.change_id AND t.listing_id = NEW.listing_id
        ORDER BY t.completed_at DESC NULLS LAST LIMIT 1;
    END IF;
    RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS attribution_event_task ON analytics.attribution_events;
CREATE TRIGGER attribution_event_task
    BEFORE INSERT OR UPDATE OF change_id ON analytics.attribution_events
    FOR EACH ROW EXECUTE FUNCTION workflow.attribution_event_task();

INSERT INTO system.settings (key, value, description) VALUES
    ('tasks.priority.horizon_days', '28',
     'Days of revenue a task''s expected gain is counted over (the listing''s revenue over the last this-many days).'),
    ('tasks.priority.uplift_pct_per_score_point', '0.5',
     'Prior when no similar past change was measured: expected revenue uplift, in %, per listing-score point the '
     'fix would gain (the top fix''s points, else the gap to 80).'),
    ('tasks.priority.max_uplift_pct', '25',
     'The prior uplift is capped at this many %.'),
    ('tasks.priority.min_similar_changes', '3',
     'Measured revenue effects of at least this many past changes of the same type replace the prior with their median.'),
    ('tasks.priority.full_impact_gbp', '500',
     'Expected gain (GBP over the horizon) that scores the full 10 for impact; smaller gains score on a log scale.'),
    ('tasks.priority.weights', '{"impact": 0.5, "urgency": 0.3, "ease": 0.2}',
     'Weights of impact, urgency and ease (0-10 each) in priority_score (0-100).'),
    ('tasks.priority.ease_by_type',
     '{"pricing": 9, "competitive": 7, "optimization": 6, "compliance": 5, "launch": 3, "other": 5}',
     'How easy a task of each type is to do, 0-10.')
ON CONFLICT (key) DO NOTHING;
