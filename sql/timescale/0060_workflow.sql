-- 0060_workflow: kanban stages and tasks with their stage history, automation rules, the
-- idempotency ledger of rule executions and the alert delivery outbox. Ends with the
-- foreign keys from earlier schemas into workflow (files run in order, so they come here).

-- ---------------------------------------------------------------------------
-- Kanban stages
-- ---------------------------------------------------------------------------
CREATE TABLE workflow.kanban_stages (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),

    name                VARCHAR(100) NOT NULL UNIQUE,
    description         TEXT,
    color               VARCHAR(7) CHECK (color ~ '^#[0-9A-Fa-f]{6}$'),

    sort_order          INTEGER NOT NULL,
    is_default          BOOLEAN NOT NULL DEFAULT FALSE,     -- stage of new tasks
    is_terminal         BOOLEAN NOT NULL DEFAULT FALSE,     -- a task here is complete

    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

COMMENT ON TABLE workflow.kanban_stages IS 'Columns of the task board; exactly one default stage, any number of terminal ones.';

-- New tasks land in the default stage, so there can only be one.
CREATE UNIQUE INDEX kanban_stages_one_default ON workflow.kanban_stages ((TRUE)) WHERE is_default;

INSERT INTO workflow.kanban_stages (name, sort_order, is_default, is_terminal, color) VALUES
    ('Backlog',         1, TRUE,  FALSE, '#6B7280'),
    ('To Analyze',      2, FALSE, FALSE, '#3B82F6'),
    ('In Progress',     3, FALSE, FALSE, '#F59E0B'),
    ('Review',          4, FALSE, FALSE, '#8B5CF6'),
    ('Ready to Deploy', 5, FALSE, FALSE, '#10B981'),
    ('Monitoring',      6, FALSE, FALSE, '#06B6D4'),
    ('Done',            7, FALSE, TRUE,  '#22C55E')
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------
-- Automation rules (before tasks: tasks reference the rule that created them)
-- ---------------------------------------------------------------------------
CREATE TABLE workflow.automation_rules (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),

    name                VARCHAR(100) NOT NULL UNIQUE,   -- the CLI and logs refer to rules by name
    description         TEXT,

    trigger_type        VARCHAR(30) NOT NULL
                        CHECK (trigger_type IN ('threshold', 'competitive', 'time_based', 'event')),
    -- threshold:   {"metric": "score", "operator": "lt", "value": 70}
    -- competitive: {"event": "competitor_price_drop", "threshold_pct": 5}
    -- time_based:  {"cron": "0 9 * * 1"}
    -- event:       {"event_type": "listing.synced"}
    trigger_config      JSONB NOT NULL CHECK (jsonb_typeof(trigger_config) = 'object'),

    -- AND-ed conditions, e.g.
    -- [{"field": "listing.custom_category", "operator": "in", "value": ["power_tools"]}]
    conditions          JSONB CHECK (jsonb_typeof(conditions) = 'array'),

    action_type         VARCHAR(30) NOT NULL
                        CHECK (action_type IN ('create_task', 'update_price', 'send_alert',
                                               'apply_template', 'tag_listing')),
    -- create_task:    {"task_type": "optimization", "title_template": "Review {asin}"}
    -- update_price:   {"change_type": "percentage", "value": -5}
    -- send_alert:     {"severity": "high", "message": "Competitor undercut!", "channel": "webhook"}
    -- apply_template: {"template": "<catalog.content_templates.name>"}
    -- tag_listing:    {"tag": "needs-images"}
    action_config       JSONB NOT NULL CHECK (jsonb_typeof(action_config) = 'object'),

    cooldown_minutes    INTEGER NOT NULL DEFAULT 60 CHECK (cooldown_minutes >= 0),  -- per entity
    max_daily_triggers  INTEGER CHECK (max_daily_triggers > 0),                     -- NULL = unlimited

    -- Evaluate and record, but do not act (see workflow.rule_executions.dry_run).
    dry_run             BOOLEAN NOT NULL DEFAULT FALSE,
    is_active           BOOLEAN NOT NULL DEFAULT TRUE,
    last_triggered_at   TIMESTAMPTZ,
    trigger_count       INTEGER NOT NULL DEFAULT 0 CHECK (trigger_count >= 0),

    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

COMMENT ON TABLE workflow.automation_rules IS
    'Seller-defined rules: trigger, AND-ed conditions, one action, cooldown and daily cap, optional dry run.';

CREATE INDEX idx_rules_active ON workflow.automation_rules (is_active, trigger_type);

-- ---------------------------------------------------------------------------
-- Tasks
-- ---------------------------------------------------------------------------
CREATE TABLE workflow.tasks (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),

    title               VARCHAR(255) NOT NULL,
    description         TEXT,

    task_type           VARCHAR(30) NOT NULL
                        CHECK (task_type IN ('optimization', 'pricing', 'competitive', 'compliance', 'launch', 'other')),

    listing_id          UUID REFERENCES catalog.listings (id),
    listing_ids         UUID[],             -- bulk tasks

    -- Filled with the default stage by workflow.tasks_before_write() when omitted.
    stage_id            UUID NOT NULL REFERENCES workflow.kanban_stages (id),

    priority_score      NUMERIC(5,2),
    priority_breakdown  JSONB,              -- {"impact_score": 8.5, "ease_score": 6.0, "urgency_score": 9.0}

    created_by          VARCHAR(20) NOT NULL DEFAULT 'system' CHECK (created_by IN ('system', 'user', 'rule')),
    source_rule_id      UUID REFERENCES workflow.automation_rules (id) ON DELETE SET NULL,

    due_date            DATE,
    scheduled_for       TIMESTAMPTZ,

    -- Maintained by the trigger below: set when the task enters a terminal stage, cleared
    -- when it leaves one. idx_urgent_tasks relies on it.
    completed_at        TIMESTAMPTZ,
    outcome             TEXT,

    tags                TEXT[],

    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

COMMENT ON TABLE workflow.tasks IS
    'Kanban tasks, created by the seller or by rules; completed_at is set exactly while the task is in a terminal stage.';

CREATE INDEX idx_tasks_stage ON workflow.tasks (stage_id);
CREATE INDEX idx_tasks_listing ON workflow.tasks (listing_id);
CREATE INDEX idx_tasks_priority ON workflow.tasks (priority_score DESC);
CREATE INDEX idx_tasks_due ON workflow.tasks (due_date);
-- Open tasks by due date. Index predicates cannot hold a subquery (the seed's version looked
-- up the terminal stage), so it uses the task's own completed_at.
CREATE INDEX idx_urgent_tasks ON workflow.tasks (due_date) WHERE completed_at IS NULL;

-- ---------------------------------------------------------------------------
-- Task events: every stage move, written by trigger so no writer can forget it.
-- ---------------------------------------------------------------------------
CREATE TABLE workflow.task_events (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    task_id             UUID NOT NULL REFERENCES workflow.tasks (id) ON DELETE CASCADE,
    from_stage_id       UUID REFERENCES workflow.kanban_stages (id),    -- NULL on creation
    to_stage_id         UUID NOT NULL REFERENCES workflow.kanban_stages (id),
    -- Session setting listing_helper.actor (e.g. 'user:alice', 'rule:<id>'), else the DB role.
    moved_by            VARCHAR(100) NOT NULL,
    note                TEXT,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

COMMENT ON TABLE workflow.task_events IS 'History of task stage moves (creation included), for cycle times and audit.';

CREATE INDEX idx_task_events_task ON workflow.task_events (task_id, created_at);

CREATE FUNCTION workflow.tasks_before_write() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    stage_is_terminal BOOLEAN;
BEGIN
    IF NEW.stage_id IS NULL THEN
        SELECT id INTO NEW.stage_id FROM workflow.kanban_stages WHERE is_default;
    END IF;

    SELECT is_terminal INTO stage_is_terminal FROM workflow.kanban_stages WHERE id = NEW.stage_id;
    IF stage_is_terminal THEN
        NEW.completed_at := COALESCE(NEW.completed_at, now());
    ELSE
        NEW.completed_at := NULL;
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION workflow.tasks_record_stage_move() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.stage_id IS DISTINCT FROM OLD.stage_id THEN
        INSERT INTO workflow.task_events (task_id, from_stage_id, to_stage_id, moved_by)
        VALUES (NEW.id,
                CASE WHEN TG_OP = 'UPDATE' THEN OLD.stage_id END,
                NEW.stage_id,
                COALESCE(NULLIF(current_setting('listing_helper.actor', TRUE), ''), current_user));
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER tasks_before_write
    BEFORE INSERT OR UPDATE OF stage_id, completed_at ON workflow.tasks
    FOR EACH ROW EXECUTE FUNCTION workflow.tasks_before_write();

CREATE TRIGGER tasks_record_stage_move
    AFTER INSERT OR UPDATE OF stage_id ON workflow.tasks
    FOR EACH ROW EXECUTE FUNCTION workflow.tasks_record_stage_move();

-- ---------------------------------------------------------------------------
-- Rule executions: one row per (rule, entity, window). Inserting it first claims the work,
-- so a re-run of the same sensor tick or partition never acts twice.
-- ---------------------------------------------------------------------------
CREATE TABLE workflow.rule_executions (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    -- No cascade: rules are deactivated, not deleted, once they have acted.
    rule_id             UUID NOT NULL REFERENCES workflow.automation_rules (id),
    entity_type         VARCHAR(30) NOT NULL,   -- 'listing', 'competitor', 'task', ...
    entity_id           UUID NOT NULL,
    -- The evaluation window the rule fired for, e.g. '2026-11-25' for a daily rule or the
    -- alert id for an event rule. Dry runs prefix it ('dry:2026-11-25') so that switching
    -- a rule live inside the same window is not blocked by its rehearsal.
    window_key          TEXT NOT NULL,
    action              VARCHAR(30) NOT NULL
                        CHECK (action IN ('create_task', 'update_price', 'send_alert',
                                          'apply_template', 'tag_listing')),
    dry_run             BOOLEAN NOT NULL DEFAULT FALSE,
    status              VARCHAR(20) NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'succeeded', 'failed', 'skipped')),
    -- What happened or would have happened: created task id, old/new price, guard that
    -- blocked it, error.
    outcome             JSONB,
    dagster_run_id      VARCHAR(64),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at         TIMESTAMPTZ,

    UNIQUE (rule_id, entity_id, window_key)
);

COMMENT ON TABLE workflow.rule_executions IS
    'Idempotency ledger of automation rule actions (incl. dry runs): UNIQUE (rule_id, entity_id, window_key). Cooldowns and daily caps count rows here.';

-- Daily caps: "how many times did this rule act today".
CREATE INDEX idx_rule_executions_rule_created ON workflow.rule_executions (rule_id, created_at DESC);

-- ---------------------------------------------------------------------------
-- Alert outbox: send_alert writes here in the same transaction as its rule execution;
-- a dispatcher delivers with retries.
-- ---------------------------------------------------------------------------
CREATE TABLE workflow.alert_outbox (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    idempotency_key     VARCHAR(200) NOT NULL UNIQUE,

    channel             VARCHAR(10) NOT NULL CHECK (channel IN ('webhook', 'email')),
    -- The name of a configured destination, never the webhook URL or address itself:
    -- webhook URLs are secrets and live in system.creds.
    destination         VARCHAR(100) NOT NULL DEFAULT 'default',
    severity            VARCHAR(10) CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    subject             TEXT,
    payload             JSONB NOT NULL,

    alert_id            UUID REFERENCES competitors.alerts (id) ON DELETE SET NULL,
    rule_execution_id   UUID REFERENCES workflow.rule_executions (id) ON DELETE SET NULL,

    -- pending: waiting for its (next) attempt at next_attempt_at; sending: claimed by a
    -- dispatcher until next_attempt_at (a lease, so a crashed dispatcher's rows come back);
    -- abandoned: max_attempts reached.
    status              VARCHAR(20) NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'sending', 'delivered', 'abandoned')),
    attempts            INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts        INTEGER NOT NULL DEFAULT 8 CHECK (max_attempts > 0),
    next_attempt_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_error          TEXT,
    delivered_at        TIMESTAMPTZ,

    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),

    CHECK ((status = 'delivered') = (delivered_at IS NOT NULL))
);

COMMENT ON TABLE workflow.alert_outbox IS
    'Outbox of alert deliveries (webhook, email) with attempts, backoff and an idempotency key.';

-- The dispatcher's queue: due rows that are waiting or whose lease expired.
CREATE INDEX idx_alert_outbox_due ON workflow.alert_outbox (next_attempt_at)
    WHERE status IN ('pending', 'sending');

-- ---------------------------------------------------------------------------
-- Foreign keys from earlier files into workflow
-- ---------------------------------------------------------------------------
ALTER TABLE analytics.attribution_events
    ADD CONSTRAINT attribution_events_task_id_fkey
    FOREIGN KEY (task_id) REFERENCES workflow.tasks (id) ON DELETE SET NULL;

ALTER TABLE pricing.price_changes
    ADD CONSTRAINT price_changes_automation_rule_id_fkey
    FOREIGN KEY (automation_rule_id) REFERENCES workflow.automation_rules (id) ON DELETE SET NULL;
