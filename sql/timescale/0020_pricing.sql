-- 0020_pricing: current prices, price history (time series), price rules, dated per-listing
-- costs and the ledger of price changes. Margins are not stored here: dbt builds them
-- (see docs/decisions/2026-11-25-pricing-margins-owned-by-dbt.md).
-- Money is NUMERIC in GBP throughout; *_pct columns are percentage points (20.00 = 20 %).

-- ---------------------------------------------------------------------------
-- Current price per listing
-- ---------------------------------------------------------------------------
CREATE TABLE pricing.current_prices (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    listing_id          UUID NOT NULL UNIQUE REFERENCES catalog.listings (id),

    price               NUMERIC(10,2) NOT NULL CHECK (price >= 0),
    currency            VARCHAR(3) NOT NULL DEFAULT 'GBP' CHECK (currency ~ '^[A-Z]{3}$'),

    -- Sale price
    sale_price          NUMERIC(10,2) CHECK (sale_price >= 0),
    sale_start_date     DATE,
    sale_end_date       DATE,

    -- Buy Box
    has_buy_box         BOOLEAN,
    buy_box_price       NUMERIC(10,2) CHECK (buy_box_price >= 0),
    buy_box_seller      VARCHAR(100),
    buy_box_percentage  NUMERIC(5,2) CHECK (buy_box_percentage BETWEEN 0 AND 100),

    -- Derived values written back by one Dagster asset from the landed cost, fee and
    -- margin marts (dbt computes them; nothing here computes them a second time).
    landed_cost         NUMERIC(10,2),
    landed_cost_updated TIMESTAMPTZ,
    gross_margin        NUMERIC(10,2),
    gross_margin_pct    NUMERIC(5,2),
    net_margin          NUMERIC(10,2),      -- after Amazon fees
    net_margin_pct      NUMERIC(5,2),
    referral_fee        NUMERIC(10,2),
    fba_fee             NUMERIC(10,2),

    -- Price optimisation output
    optimal_price       NUMERIC(10,2) CHECK (optimal_price >= 0),
    price_confidence    NUMERIC(5,2) CHECK (price_confidence BETWEEN 0 AND 100),
    last_optimized_at   TIMESTAMPTZ,

    -- Seller's guard rails for automated price changes
    min_price           NUMERIC(10,2) CHECK (min_price >= 0),
    max_price           NUMERIC(10,2) CHECK (max_price >= 0),
    -- Percent (20.00 = 20 %); NULL = setting pricing.default_margin_floor, a fraction (0.20).
    margin_floor_pct    NUMERIC(5,2),

    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),

    CHECK (min_price IS NULL OR max_price IS NULL OR min_price <= max_price),
    CHECK (sale_start_date IS NULL OR sale_end_date IS NULL OR sale_start_date <= sale_end_date)
);

COMMENT ON TABLE pricing.current_prices IS
    'Latest price, Buy Box state and seller guard rails per listing; margin and fee columns are written back from dbt marts.';

-- The seed's idx_prices_listing duplicated the UNIQUE constraint on listing_id and is not
-- created. idx_prices_listing_updated is kept from the seed although, with one row per
-- listing, the unique index already answers every lookup it serves.
CREATE INDEX idx_prices_margin ON pricing.current_prices (net_margin_pct DESC);
CREATE INDEX idx_prices_listing_updated ON pricing.current_prices (listing_id, updated_at DESC);

-- ---------------------------------------------------------------------------
-- Price history (time series)
-- ---------------------------------------------------------------------------
CREATE TABLE pricing.price_history (
    time                TIMESTAMPTZ NOT NULL,
    listing_id          UUID NOT NULL REFERENCES catalog.listings (id),

    price               NUMERIC(10,2) NOT NULL CHECK (price >= 0),
    sale_price          NUMERIC(10,2) CHECK (sale_price >= 0),
    buy_box_price       NUMERIC(10,2) CHECK (buy_box_price >= 0),
    has_buy_box         BOOLEAN,

    source              VARCHAR(20) NOT NULL CHECK (source IN ('sp_api', 'keepa', 'manual')),

    PRIMARY KEY (listing_id, time)
) /*partitioned: PARTITION BY RANGE (time) */;

COMMENT ON TABLE pricing.price_history IS
    'Time series of our own prices per listing (GBP). Append-only; nothing may reference it by foreign key.';

SELECT system.setup_time_series('pricing.price_history', time_column => 'time', segment_by => 'listing_id', chunk_interval => INTERVAL '7 days', compress_after => INTERVAL '30 days', retain_for => INTERVAL '2 years');

-- ---------------------------------------------------------------------------
-- Price rules
-- ---------------------------------------------------------------------------
CREATE TABLE pricing.price_rules (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),

    name                VARCHAR(100) NOT NULL,
    description         TEXT,

    applies_to          VARCHAR(20) NOT NULL
                        CHECK (applies_to IN ('all', 'category', 'tag', 'listing')),
    scope_value         TEXT,               -- category name, tag, or listing id

    rule_type           VARCHAR(30) NOT NULL
                        CHECK (rule_type IN ('margin_floor', 'competitor_match', 'competitor_beat',
                                             'time_based', 'inventory_based')),

    -- Examples:
    --   margin_floor:     {"min_margin_pct": 20}
    --   competitor_match: {"competitor_asin": "B08XXXXXXX", "match_type": "beat", "beat_by_pct": 2}
    --   time_based:       {"schedule": "0 9 * * 1-5", "price_change_pct": -5}
    --   inventory_based:  {"when_below": 10, "price_change_pct": 15}
    config              JSONB NOT NULL CHECK (jsonb_typeof(config) = 'object'),

    priority            INTEGER NOT NULL DEFAULT 100,   -- higher wins
    is_active           BOOLEAN NOT NULL DEFAULT TRUE,

    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),

    -- Every scope but 'all' needs a value, and 'all' must not carry a stray one.
    CHECK ((applies_to = 'all') = (scope_value IS NULL))
);

COMMENT ON TABLE pricing.price_rules IS
    'Seller-defined pricing rules (margin floors, competitor matching, time and stock based changes).';

-- ---------------------------------------------------------------------------
-- Dated per-listing costs beside the bill of materials
-- ---------------------------------------------------------------------------
CREATE TABLE pricing.costs (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    listing_id          UUID NOT NULL REFERENCES catalog.listings (id),

    -- 'landed_cost_override' replaces the whole BOM-derived landed cost while it is valid;
    -- every other type is added on top of the BOM cost.
    cost_type           VARCHAR(30) NOT NULL
                        CHECK (cost_type IN ('packaging', 'inbound_shipping', 'prep', 'labelling',
                                             'storage', 'other', 'landed_cost_override')),
    amount_per_unit     NUMERIC(10,4) NOT NULL CHECK (amount_per_unit >= 0),   -- GBP, ex VAT
    -- Valid from this date until the next record of the same listing and type.
    valid_from          DATE NOT NULL DEFAULT CURRENT_DATE,
    notes               TEXT,

    created_by          VARCHAR(100),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),

    UNIQUE (listing_id, cost_type, valid_from)
);

COMMENT ON TABLE pricing.costs IS
    'Effective-dated per-unit costs per listing outside the BOM (packaging, inbound shipping, prep, ...) or a manual landed cost override; GBP ex VAT.';

-- ---------------------------------------------------------------------------
-- Price changes: every price the platform proposed or pushed, with its guard-rail context.
-- Cooldowns and daily caps count rows here; attribution links to them by id.
-- ---------------------------------------------------------------------------
CREATE TABLE pricing.price_changes (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    listing_id          UUID NOT NULL REFERENCES catalog.listings (id),

    old_price           NUMERIC(10,2) CHECK (old_price >= 0),
    new_price           NUMERIC(10,2) NOT NULL CHECK (new_price >= 0),
    -- The guard rails in force when the change was decided, so a reviewer can see why it
    -- was allowed: [floor_price, ceiling_price] and the maximum step.
    floor_price         NUMERIC(10,2),
    ceiling_price       NUMERIC(10,2),
    max_step_pct        NUMERIC(5,2),

    reason              TEXT,
    -- Who asked: a user, a price rule or an automation rule.
    requested_by        VARCHAR(20) NOT NULL CHECK (requested_by IN ('user', 'price_rule', 'automation_rule')),
    price_rule_id       UUID REFERENCES pricing.price_rules (id) ON DELETE SET NULL,
    automation_rule_id  UUID,               -- FK added in 0060_workflow.sql

    dry_run             BOOLEAN NOT NULL DEFAULT FALSE,
    status              VARCHAR(20) NOT NULL DEFAULT 'proposed'
                        CHECK (status IN ('proposed', 'rejected', 'submitted', 'accepted', 'failed')),
    -- Listings Items API patchListingsItem submission id / issues
    submission_id       VARCHAR(100),
    error_message       TEXT,

    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    submitted_at        TIMESTAMPTZ,
    completed_at        TIMESTAMPTZ,

    CHECK (floor_price IS NULL OR ceiling_price IS NULL OR floor_price <= ceiling_price),
    -- A dry run never reaches Amazon.
    CHECK (NOT dry_run OR status IN ('proposed', 'rejected'))
);

COMMENT ON TABLE pricing.price_changes IS
    'Ledger of proposed and executed price changes (incl. dry runs) with the floor, ceiling and step that applied.';

-- Cooldown and daily-cap checks: "changes for this listing since t".
CREATE INDEX idx_price_changes_listing_created ON pricing.price_changes (listing_id, created_at DESC);
CREATE INDEX idx_price_changes_open ON pricing.price_changes (status) WHERE status IN ('proposed', 'submitted');
