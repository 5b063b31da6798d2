-- 0070_system: settings (with the defaults the platform reads), the audit log (partitioned
-- by month in every mode), background jobs and encrypted credentials.

-- ---------------------------------------------------------------------------
-- Settings
-- Units: keys and JSON fields ending in _pct hold percentage points (5 = 5 %); *_rate, *_share,
-- margins and steps are fractions (0.20 = 20 %); money is GBP.
-- ---------------------------------------------------------------------------
CREATE TABLE system.settings (
    key                 VARCHAR(100) PRIMARY KEY CHECK (key ~ '^[a-z0-9_]+(\.[a-z0-9_]+)+$'),
    value               JSONB NOT NULL,
    description         TEXT,
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

COMMENT ON TABLE system.settings IS
    'Platform settings as dotted keys with JSON values; the migrations seed defaults and never overwrite a seller''s change.';

-- ON CONFLICT DO NOTHING: re-running the migration on a database where the seller already
-- tuned a value keeps the seller's value.
INSERT INTO system.settings (key, value, description) VALUES
    -- From the seed
    ('scoring.weights',
     '{"seo": 0.25, "content": 0.25, "images": 0.20, "competitive": 0.15, "compliance": 0.15}',
     'Weights of the component scores in the total listing score (fractions, sum 1).'),
    ('sync.sp_api.interval_minutes', '60', 'How often to sync from the SP-API, in minutes.'),
    ('sync.keepa.tokens_per_minute', '21', 'Keepa plan refill rate: tokens added per minute.'),
    ('pricing.default_margin_floor', '0.20',
     'Default minimum net margin as a fraction of the price (0.20 = 20 %), used where a listing has no margin_floor_pct.'),
    ('seasonality.uk_calendar',
     '{"diy_peak_months": [3,4,5,6,7,8], "holiday_weeks": ["2025-12-22", "2025-12-29"]}',
     'UK seasonal patterns: DIY peak months (1-12) and holiday weeks (Monday dates).'),

    -- Locale
    ('locale.marketplace_id', '"A1F83G8C2ARO7P"', 'Default marketplace: amazon.co.uk.'),
    ('locale.timezone', '"Europe/London"', 'Time zone that defines a business day for daily partitions and reports.'),

    -- Sources
    ('sync.keepa.domain', '"GB"',
     'Keepa domain for the keepa library: ''GB'' = domain id 2 (amazon.co.uk); ''UK'' raises.'),
    ('sync.keepa.token_bucket_max', '1260',
     'Most Keepa tokens that can be banked: unused tokens expire after 60 minutes, so 60 x tokens_per_minute. Shared by all runs.'),
    ('sync.sp_api.traffic_repull_days', '7',
     'Days of sales and traffic data re-requested and upserted on every run, because Amazon revises them late.'),

    -- Costs and fees
    ('pricing.overhead_rate', '0.10',
     'Landed cost overhead as a FRACTION of component + duty + freight cost (0.10 = 10 %).'),
    ('fees.referral_rate_card',
     '{"marketplace_id": "A1F83G8C2ARO7P", "currency": "GBP", "price_basis": "vat_inclusive", "fees_quoted": "ex_vat",
       "entries": [{"category": "diy_and_tools", "rate": 0.1326, "minimum_fee_gbp": 0.25, "effective_from": "2025-01-01",
                    "note": "13 % referral fee plus the 2 % digital services surcharge"}]}',
     'Fallback referral fee rate card (fractions; minimum fee in GBP), used only when the fees API or the estimated fees report has no value for a SKU. Add an entry with a new effective_from when Amazon changes the rate.'),
    ('fees.vat_rate', '0.20', 'UK standard VAT rate as a fraction.'),

    -- Guard rails for automated price changes (a fresh install only rehearses)
    ('pricing.auto_change.dry_run', 'true',
     'When true, no rule changes a price on Amazon: changes are recorded as dry runs. Set false to go live.'),
    ('pricing.auto_change.max_step', '0.05', 'Largest single automated price change, as a fraction of the current price.'),
    ('pricing.auto_change.cooldown_hours', '24', 'Minimum hours between two automated price changes of one listing.'),
    ('pricing.auto_change.max_changes_per_day', '2', 'Most automated price changes per listing per day.'),

    -- Data quality and retention
    ('quarantine.max_share', '0.05',
     'Largest share of rows of one report document that may be quarantined before the load fails (fraction).'),
    ('retention.time_series', '"2 years"', 'How long time-series rows (prices, competitor history, scores, metrics, stock) are kept.'),
    ('retention.audit_log', '"7 years"', 'How long audit log partitions are kept.'),
    ('retention.forecasts', '"1 year"', 'Forecasts whose forecast_date is older than this are deleted by the forecasting job.'),

    -- Alerts
    ('alerts.competitor_thresholds',
     '{"price_drop_pct": {"low": 3, "medium": 5, "high": 10, "critical": 20},
       "rank_jump_pct": {"low": 20, "medium": 50, "high": 100, "critical": 200}}',
     'Severity of competitor alerts by size of change, in percentage points (compare with competitors.alerts.change_pct): a price drop of at least N %, a rise of the BSR number (worse rank) of at least N %.'),

    -- Reporting
    ('reporting.export_dir', '"exports"', 'Folder (relative to the project data directory) where report exports are written.')
ON CONFLICT (key) DO NOTHING;

-- ---------------------------------------------------------------------------
-- Audit log: partitioned by month in both modes (the seed only said so). Monthly
-- partitions are created, and dropped after the retention period, by the foundation's
-- time-series machinery. Append-only: the application role may insert, not change.
-- ---------------------------------------------------------------------------
CREATE TABLE system.audit_log (
    id                  UUID NOT NULL DEFAULT gen_random_uuid(),

    entity_type         VARCHAR(50) NOT NULL,   -- 'listing', 'price', 'rule', 'task', ...
    entity_id           UUID NOT NULL,
    action              VARCHAR(20) NOT NULL CHECK (action IN ('create', 'update', 'delete')),

    changes             JSONB,                  -- {"field": {"old": x, "new": y}}

    source              VARCHAR(50),            -- 'user', 'sp_api_sync', 'automation', 'api', ...
    source_id           VARCHAR(100),           -- rule id, job id, Dagster run id, user name

    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),

    PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);

COMMENT ON TABLE system.audit_log IS
    'Every change made by a person, the sync or a rule, partitioned by month; kept 7 years. Append-only; nothing references it.';

CREATE INDEX idx_audit_entity ON system.audit_log (entity_type, entity_id, created_at DESC);
CREATE INDEX idx_audit_created ON system.audit_log (created_at DESC);

SELECT system.setup_time_series('system.audit_log', time_column => 'created_at', segment_by => 'entity_id', chunk_interval => INTERVAL '1 month', compress_after => NULL, retain_for => INTERVAL '7 years');

-- ---------------------------------------------------------------------------
-- Background jobs
-- ---------------------------------------------------------------------------
CREATE TABLE system.jobs (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),

    job_type            VARCHAR(50) NOT NULL,   -- 'sync_listings', 'sync_orders', 'calculate_scores', 'fetch_keepa', ...

    status              VARCHAR(20) NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),

    scheduled_for       TIMESTAMPTZ,
    started_at          TIMESTAMPTZ,
    completed_at        TIMESTAMPTZ,

    input_data          JSONB,
    result_data         JSONB,
    error_message       TEXT,

    attempt_count       INTEGER NOT NULL DEFAULT 0 CHECK (attempt_count >= 0),
    max_attempts        INTEGER NOT NULL DEFAULT 3 CHECK (max_attempts > 0),

    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

COMMENT ON TABLE system.jobs IS 'Background jobs outside Dagster runs (CLI-triggered work) with status and retries.';

CREATE INDEX idx_jobs_status ON system.jobs (status, scheduled_for);
CREATE INDEX idx_jobs_type ON system.jobs (job_type, status);

-- ---------------------------------------------------------------------------
-- Credentials, encrypted by the application (AES-256-GCM) with a key that never enters
-- the database; only ciphertext, nonce and the key's fingerprint are stored.
-- ---------------------------------------------------------------------------
CREATE TABLE system.creds (
    id              UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name            VARCHAR(100) NOT NULL UNIQUE,   -- e.g. 'sp_api.refresh_token'
    provider        VARCHAR(30)  NOT NULL,          -- 'sp_api', 'keepa', 'smtp', 'webhook', ...
    ciphertext      BYTEA        NOT NULL,
    nonce           BYTEA        NOT NULL CHECK (octet_length(nonce) = 12),
    key_fingerprint VARCHAR(16)  NOT NULL,          -- which key encrypted it
    algorithm       VARCHAR(20)  NOT NULL DEFAULT 'AES-256-GCM',
    created_at      TIMESTAMPTZ  NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ  NOT NULL DEFAULT now(),
    last_used_at    TIMESTAMPTZ
);

COMMENT ON TABLE system.creds IS
    'Encrypted secrets (AES-256-GCM, 12-byte nonce); the key lives outside the database. No access for PUBLIC or the read-only role (0095_roles.sql).';
