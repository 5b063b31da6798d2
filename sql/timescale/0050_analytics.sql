-- 0050_analytics: listing scores and performance metrics (time series), attribution results
-- per change, and cohorts of listings.

-- ---------------------------------------------------------------------------
-- Listing scores (time series)
-- ---------------------------------------------------------------------------
CREATE TABLE analytics.listing_scores (
    time                TIMESTAMPTZ NOT NULL,
    listing_id          UUID NOT NULL REFERENCES catalog.listings (id),

    total_score         NUMERIC(5,2) NOT NULL CHECK (total_score BETWEEN 0 AND 100),

    seo_score           NUMERIC(5,2) CHECK (seo_score BETWEEN 0 AND 100),
    content_score       NUMERIC(5,2) CHECK (content_score BETWEEN 0 AND 100),
    image_score         NUMERIC(5,2) CHECK (image_score BETWEEN 0 AND 100),
    competitive_score   NUMERIC(5,2) CHECK (competitive_score BETWEEN 0 AND 100),
    compliance_score    NUMERIC(5,2) CHECK (compliance_score BETWEEN 0 AND 100),

    -- Per-check drill-down, e.g. {"title_length": 85, "bullet_count": 100, "image_count": 80}
    score_breakdown     JSONB,

    scoring_version     VARCHAR(20),

    PRIMARY KEY (listing_id, time)
) /*partitioned: PARTITION BY RANGE (time) */;

COMMENT ON TABLE analytics.listing_scores IS
    'Time series of listing quality scores (0-100) with components and breakdown. Append-only; no foreign key may reference it.';

SELECT system.setup_time_series('analytics.listing_scores', time_column => 'time', segment_by => 'listing_id', chunk_interval => INTERVAL '30 days', compress_after => INTERVAL '60 days', retain_for => INTERVAL '2 years');

-- ---------------------------------------------------------------------------
-- Performance metrics (time series), one row per listing and day
-- ---------------------------------------------------------------------------
CREATE TABLE analytics.performance_metrics (
    time                TIMESTAMPTZ NOT NULL,   -- start of report_date, Europe/London
    listing_id          UUID NOT NULL REFERENCES catalog.listings (id),

    -- Traffic (sales and traffic report)
    sessions            INTEGER CHECK (sessions >= 0),
    page_views          INTEGER CHECK (page_views >= 0),
    -- FRACTIONS despite the names (the seed's NUMERIC(5,4) cannot hold Amazon's 0-100):
    -- staging divides the report's percentages by 100, e.g. 12.5 % -> 0.1250.
    page_views_pct      NUMERIC(5,4) CHECK (page_views_pct BETWEEN 0 AND 1),

    units_ordered       INTEGER CHECK (units_ordered >= 0),
    unit_session_pct    NUMERIC(5,4) CHECK (unit_session_pct >= 0),     -- conversion; can exceed 1

    ordered_product_sales NUMERIC(12,2) CHECK (ordered_product_sales >= 0),
    currency            VARCHAR(3) NOT NULL DEFAULT 'GBP' CHECK (currency ~ '^[A-Z]{3}$'),

    buy_box_pct         NUMERIC(5,2) CHECK (buy_box_pct BETWEEN 0 AND 100),    -- percent, 0-100

    bsr                 INTEGER CHECK (bsr > 0),
    bsr_category        VARCHAR(255),

    report_date         DATE,

    PRIMARY KEY (listing_id, time)
) /*partitioned: PARTITION BY RANGE (time) */;

COMMENT ON TABLE analytics.performance_metrics IS
    'Daily traffic, conversion, sales, Buy Box % and BSR per listing; the last 7 days are re-pulled and upserted. Append-only otherwise; no foreign key may reference it.';

SELECT system.setup_time_series('analytics.performance_metrics', time_column => 'time', segment_by => 'listing_id', chunk_interval => INTERVAL '30 days', compress_after => INTERVAL '30 days', retain_for => INTERVAL '2 years');

-- ---------------------------------------------------------------------------
-- Attribution events: one change to one listing and, once measured, its effect.
-- The change itself is recorded when it happens (listing version, price change, finished
-- task); the measurement columns are written back from the attribution mart.
-- ---------------------------------------------------------------------------
CREATE TABLE analytics.attribution_events (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    listing_id          UUID NOT NULL REFERENCES catalog.listings (id),

    change_type         VARCHAR(50) NOT NULL
                        CHECK (change_type IN ('title_update', 'bullet_update', 'description_update',
                                               'search_terms_update', 'image_add', 'image_update',
                                               'image_remove', 'aplus_update', 'price_change',
                                               'content_rollback', 'other')),
    -- catalog.listing_versions.id for content changes, pricing.price_changes.id for
    -- price changes. Not a FK: it points into one of two tables depending on change_type.
    change_id           UUID,
    change_timestamp    TIMESTAMPTZ NOT NULL,
    task_id             UUID,               -- the finished task behind it; FK added in 0060_workflow.sql

    -- Summary metrics before and after, e.g.
    -- {"sessions_avg": 45, "conversion_rate": 0.12, "bsr_avg": 5420, "revenue_total": 1234.56}
    metrics_before      JSONB,
    metrics_after       JSONB,

    -- Kept from the seed; the verdict columns below are what the seller reads.
    impact_score        NUMERIC(5,2),
    confidence          NUMERIC(5,2) CHECK (confidence BETWEEN 0 AND 100),

    -- Measured effect on the primary metric (relative, in %) with its interval. 'inconclusive'
    -- is a first-class answer when the interval spans zero or the effect is below the MDE.
    outcome_metric      VARCHAR(50),        -- e.g. 'units_ordered', 'sessions'
    method              VARCHAR(30),        -- e.g. 'diff_in_diff'
    effect_pct          NUMERIC(8,2),
    effect_ci_low_pct   NUMERIC(8,2),
    effect_ci_high_pct  NUMERIC(8,2),
    ci_level            NUMERIC(3,2) CHECK (ci_level > 0 AND ci_level < 1),   -- 0.90 = 90 %
    mde_pct             NUMERIC(8,2) CHECK (mde_pct >= 0),                  -- minimum detectable effect
    control_listings    INTEGER CHECK (control_listings >= 0),
    verdict             VARCHAR(20) CHECK (verdict IN ('improved', 'worsened', 'inconclusive')),

    analysis_date       DATE,
    analysis_notes      TEXT,

    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),

    -- One event per change: recording the same change again is a no-op upsert. Named after
    -- the seed's idx_attribution_listing (listing_id), which it replaces as the leading column.
    CONSTRAINT idx_attribution_listing UNIQUE (listing_id, change_type, change_timestamp),
    CHECK (effect_ci_low_pct IS NULL OR effect_ci_high_pct IS NULL OR effect_ci_low_pct <= effect_ci_high_pct)
);

COMMENT ON TABLE analytics.attribution_events IS
    'Each listing change with its measured outcome: effect, interval, minimum detectable effect and verdict (improved, worsened, inconclusive).';

CREATE INDEX idx_attribution_impact ON analytics.attribution_events (impact_score DESC);
CREATE INDEX idx_attribution_change ON analytics.attribution_events (change_id);

-- ---------------------------------------------------------------------------
-- Cohorts: named groups of listings the seller compares (a launch month, a promotion,
-- a supplier switch, a hand-picked set).
-- ---------------------------------------------------------------------------
CREATE TABLE analytics.cohorts (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name                VARCHAR(100) NOT NULL UNIQUE,
    description         TEXT,
    -- 'manual': members listed in analytics.cohort_members by the seller.
    -- Other types are defined by `definition` and resolved by dbt, e.g.
    --   launch_month: {"month": "2026-03"}      category: {"custom_category": "screws"}
    --   price_band:   {"min_gbp": 5, "max_gbp": 10}   tag: {"tag": "spring-promo"}
    cohort_type         VARCHAR(20) NOT NULL
                        CHECK (cohort_type IN ('manual', 'launch_month', 'category', 'price_band', 'tag')),
    definition          JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(definition) = 'object'),
    is_active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_by          VARCHAR(100),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

COMMENT ON TABLE analytics.cohorts IS
    'Named listing groups: manual ones list members in cohort_members, rule-based ones are resolved by dbt from definition.';

CREATE TABLE analytics.cohort_members (
    cohort_id           UUID NOT NULL REFERENCES analytics.cohorts (id) ON DELETE CASCADE,
    listing_id          UUID NOT NULL REFERENCES catalog.listings (id) ON DELETE CASCADE,
    added_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (cohort_id, listing_id)
);

COMMENT ON TABLE analytics.cohort_members IS 'Members of manual cohorts.';

CREATE INDEX idx_cohort_members_listing ON analytics.cohort_members (listing_id);
