-- 0080_reporting: report templates (parameterised SQL over the marts), schedules that run
-- them, and the exports they produce.

CREATE TABLE reporting.templates (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name                VARCHAR(100) NOT NULL UNIQUE,   -- 'weekly_margin_by_category'
    description         TEXT,
    -- A SELECT over the marts with named parameters (%(start_date)s). The exporter runs
    -- it in a READ ONLY transaction, so a template cannot change data.
    sql                 TEXT NOT NULL CHECK (btrim(sql) <> ''),
    -- Parameter declarations: {"start_date": {"type": "date", "default": "today-7d",
    --                          "description": "First day"}, ...}
    parameters          JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(parameters) = 'object'),
    default_format      VARCHAR(10) NOT NULL DEFAULT 'csv'
                        CHECK (default_format IN ('csv', 'xlsx', 'parquet', 'json')),
    owner               VARCHAR(100),       -- who maintains it; NULL for built-ins
    -- Shipped with the platform: upgrades may replace it, the seller copies it to change it.
    is_builtin          BOOLEAN NOT NULL DEFAULT FALSE,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

COMMENT ON TABLE reporting.templates IS
    'Named, parameterised SQL reports over the marts, run read-only; built-in or the seller''s own.';

CREATE TABLE reporting.schedules (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    template_id         UUID NOT NULL REFERENCES reporting.templates (id) ON DELETE CASCADE,
    name                VARCHAR(100),
    cron                VARCHAR(100) NOT NULL CHECK (cron ~ '^\S+(\s+\S+){4}$'),   -- five fields
    -- An unknown zone name fails the cast below, so a typo is refused at insert.
    timezone            VARCHAR(64) NOT NULL DEFAULT 'Europe/London'
                        CHECK ((TIMESTAMPTZ '2000-01-01 00:00+00' AT TIME ZONE timezone) IS NOT NULL),
    parameters          JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(parameters) = 'object'),
    format              VARCHAR(10) CHECK (format IN ('csv', 'xlsx', 'parquet', 'json')),  -- NULL = template default
    destination_folder  TEXT NOT NULL DEFAULT 'exports',
    is_active           BOOLEAN NOT NULL DEFAULT TRUE,
    last_run_at         TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

COMMENT ON TABLE reporting.schedules IS
    'When to run a template (cron in a time zone, Europe/London by default), with which parameters, format and destination folder.';

CREATE INDEX idx_schedules_template ON reporting.schedules (template_id);

CREATE TABLE reporting.exports (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    template_id         UUID NOT NULL REFERENCES reporting.templates (id),
    schedule_id         UUID REFERENCES reporting.schedules (id) ON DELETE SET NULL,   -- NULL = on demand
    parameters          JSONB NOT NULL DEFAULT '{}',    -- resolved values actually used
    format              VARCHAR(10) NOT NULL CHECK (format IN ('csv', 'xlsx', 'parquet', 'json')),
    file_path           TEXT,
    row_count           BIGINT CHECK (row_count >= 0),
    byte_size           BIGINT CHECK (byte_size >= 0),
    sha256              CHAR(64) CHECK (sha256 ~ '^[0-9a-f]{64}$'),     -- of the written file
    status              VARCHAR(20) NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'running', 'succeeded', 'failed')),
    error_message       TEXT,
    requested_by        VARCHAR(100),
    dagster_run_id      VARCHAR(64),
    started_at          TIMESTAMPTZ,
    finished_at         TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),

    -- A succeeded export names its file and how to verify it.
    CHECK (status <> 'succeeded' OR (file_path IS NOT NULL AND row_count IS NOT NULL AND sha256 IS NOT NULL))
);

COMMENT ON TABLE reporting.exports IS
    'Each run of a template: parameters, format, file path, row count, sha256 checksum, timing and status.';

CREATE INDEX idx_exports_template_created ON reporting.exports (template_id, created_at DESC);
CREATE INDEX idx_exports_schedule ON reporting.exports (schedule_id) WHERE schedule_id IS NOT NULL;
