-- Attribution (issue 6): what each change was, whether it overlapped others, and one measured estimate per
-- outcome (sessions, conversion, units, revenue) with the inputs that reproduce it, plus a chart per event.

ALTER TABLE analytics.attribution_events
    -- Where the change was seen: 'listing_version', 'price_history', 'price_change', 'audit_log', 'task'.
    ADD COLUMN change_source      VARCHAR(30),
    -- What changed: {field: {"old": ..., "new": ...}} (a price change: {"price": {"old": 9.99, "new": 8.49}}).
    ADD COLUMN change_diff        JSONB,
    -- Other changes of the same listing inside this change's analysis window: [{change_type, day}, ...].
    -- Such changes are flagged and their windows cut short, never attributed to this one.
    ADD COLUMN overlapping_changes JSONB NOT NULL DEFAULT '[]',
    ADD COLUMN method_version     VARCHAR(20),
    -- The seller-facing sentence, e.g. "Title change on 12 Mar: conversion +0.9 pp (90% interval +0.2 to +1.6), improved".
    ADD COLUMN summary            TEXT;

COMMENT ON COLUMN analytics.attribution_events.overlapping_changes IS
    'Other changes of the listing inside the analysis window; flagged, their days excluded, never silently attributed.';

CREATE TABLE analytics.attribution_estimates (
    event_id            UUID NOT NULL REFERENCES analytics.attribution_events (id) ON DELETE CASCADE,
    outcome_metric      VARCHAR(30) NOT NULL CHECK (outcome_metric IN ('sessions', 'conversion', 'units', 'revenue')),
    method              VARCHAR(40) NOT NULL,           -- 'diff_in_diff_poisson'
    method_version      VARCHAR(20) NOT NULL,
    -- Relative effect in % with its interval; conversion also in percentage points.
    effect_pct          NUMERIC(9,2),
    effect_ci_low_pct   NUMERIC(9,2),
    effect_ci_high_pct  NUMERIC(9,2),
    effect_pp           NUMERIC(8,3),
    effect_ci_low_pp    NUMERIC(8,3),
    effect_ci_high_pp   NUMERIC(8,3),
    ci_level            NUMERIC(3,2) NOT NULL CHECK (ci_level > 0 AND ci_level < 1),
    p_value             NUMERIC(6,5),
    mde_pct             NUMERIC(9,2) CHECK (mde_pct >= 0),
    -- The same model with a fake change date in the pre-period: an "effect" there means the estimate is not to be trusted.
    placebo_effect_pct  NUMERIC(9,2),
    placebo_passed      BOOLEAN,
    -- Second method where the pre-period is long enough (synthetic control); disagreement lowers confidence.
    cross_check_method  VARCHAR(40),
    cross_check_effect_pct NUMERIC(9,2),
    cross_check_agrees  BOOLEAN,
    confidence          NUMERIC(5,2) CHECK (confidence BETWEEN 0 AND 100),
    verdict             VARCHAR(20) NOT NULL CHECK (verdict IN ('improved', 'worsened', 'inconclusive')),
    verdict_reason      TEXT,
    metrics_before      JSONB,
    metrics_after       JSONB,
    -- Everything needed to reproduce the estimate: windows, control listing ids, covariates, excluded days.
    inputs              JSONB NOT NULL,
    analysed_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, outcome_metric),
    CHECK (effect_ci_low_pct IS NULL OR effect_ci_high_pct IS NULL OR effect_ci_low_pct <= effect_ci_high_pct)
);

COMMENT ON TABLE analytics.attribution_estimates IS
    'One measured effect per change and outcome (sessions, conversion, units, revenue): difference in differences against unchanged listings of the same category, interval, minimum detectable effect, placebo, cross-check, verdict and the inputs to reproduce it.';

CREATE INDEX idx_attribution_estimates_verdict ON analytics.attribution_estimates (outcome_metric, verdict);

-- The before/after chart of each change (PNG), for the seller's reports.
CREATE TABLE analytics.attribution_charts (
    event_id            UUID PRIMARY KEY REFERENCES analytics.attribution_events (id) ON DELETE CASCADE,
    png                 BYTEA NOT NULL,
    -- The sentence the chart was drawn for: a chart is redrawn only when the measurement changed.
    drawn_for           TEXT NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

COMMENT ON TABLE analytics.attribution_charts IS
    'Per change: a PNG of the listing before and after, the control listings scaled to it, and the interval.';
