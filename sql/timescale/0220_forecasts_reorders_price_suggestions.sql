-- 0220_forecasts_reorders_price_suggestions: what the forecasting and price-suggestion jobs write
-- (orchestration/forecasting, orchestration/price_suggestions): the forecast mean beside its quantiles,
-- reorder suggestions with stock-out dates, price suggestions with their elasticity and confidence, and
-- the settings they read. See docs/decisions/2026-11-26-forecast-*.md and -price-suggestions-*.md.

-- The quantiles of a slow seller's daily units are mostly 0 (a count's median); reorders and days of cover
-- add up expected units, so the mean is kept beside them.
ALTER TABLE inventory.forecasts ADD COLUMN units_mean NUMERIC(10,3) CHECK (units_mean >= 0);
COMMENT ON COLUMN inventory.forecasts.units_mean IS
    'Expected units sold on target_date (the mean of the forecast distribution); sums of it give expected demand.';

-- ---------------------------------------------------------------------------
-- Reorder suggestions: one row per listing, forecast origin and model
-- ---------------------------------------------------------------------------
CREATE TABLE inventory.reorder_suggestions (
    listing_id              UUID NOT NULL REFERENCES catalog.listings (id),
    forecast_date           DATE NOT NULL,      -- the forecast origin the suggestion is based on
    model_version           VARCHAR(50) NOT NULL,

    fulfillable_qty         INTEGER NOT NULL CHECK (fulfillable_qty >= 0),
    inbound_qty             INTEGER NOT NULL CHECK (inbound_qty >= 0),
    lead_time_days          INTEGER NOT NULL CHECK (lead_time_days >= 0),
    lead_time_source        VARCHAR(20) NOT NULL CHECK (lead_time_source IN ('supplier', 'setting')),
    -- Expected units (mean) and a 90 % upper bound of units sold during the lead time.
    lead_time_demand        NUMERIC(10,1) NOT NULL CHECK (lead_time_demand >= 0),
    lead_time_demand_p90    NUMERIC(10,1) NOT NULL CHECK (lead_time_demand_p90 >= 0),
    reorder_point           INTEGER NOT NULL CHECK (reorder_point >= 0),
    reorder_point_source    VARCHAR(20) NOT NULL CHECK (reorder_point_source IN ('seller', 'forecast')),
    days_of_cover           NUMERIC(8,1) CHECK (days_of_cover >= 0),    -- NULL: no expected sales
    -- First day the expected sales exceed the stock on hand plus inbound (NULL: not within the horizon);
    -- stockout_date_early uses the 90 % upper bound of demand, so a stock-out is unlikely before it.
    stockout_date           DATE,
    stockout_date_early     DATE,
    reorder_now             BOOLEAN NOT NULL,
    order_by_date           DATE,               -- last day to order so stock arrives before the early stock-out
    suggested_quantity      INTEGER CHECK (suggested_quantity > 0),
    message                 TEXT NOT NULL,

    generated_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (listing_id, forecast_date, model_version),
    CHECK (reorder_now = (suggested_quantity IS NOT NULL))
);

COMMENT ON TABLE inventory.reorder_suggestions IS
    'Per listing and forecast origin: stock position, lead-time demand, reorder point, stock-out dates, days of cover and whether (and how much) to reorder now.';

CREATE INDEX idx_reorder_suggestions_origin ON inventory.reorder_suggestions (forecast_date);

-- ---------------------------------------------------------------------------
-- Price suggestions: one row per listing, day and model
-- ---------------------------------------------------------------------------
CREATE TABLE pricing.price_suggestions (
    listing_id              UUID NOT NULL REFERENCES catalog.listings (id),
    suggested_on            DATE NOT NULL,
    model_version           VARCHAR(50) NOT NULL,

    status                  VARCHAR(40) NOT NULL CHECK (status IN (
                                'suggested', 'not_enough_price_variation', 'not_enough_sales',
                                'margin_unknown', 'no_price_within_guard_rails')),
    message                 TEXT NOT NULL,      -- the status in the seller's words

    current_price           NUMERIC(10,2),
    days_used               INTEGER NOT NULL CHECK (days_used >= 0),
    units_used              INTEGER NOT NULL CHECK (units_used >= 0),
    -- Price changes the estimate compares: >= the minimum change, with 14+ usable days either side.
    price_changes_used      INTEGER NOT NULL CHECK (price_changes_used >= 0),

    -- Own-price elasticity (% change in units per 1 % change in price): the listing's own estimate and its
    -- standard error, its category's, and the estimate used (own shrunk towards the category).
    own_elasticity          NUMERIC(8,3),
    own_elasticity_se       NUMERIC(8,3),
    category_elasticity     NUMERIC(8,3),
    own_weight              NUMERIC(4,3) CHECK (own_weight BETWEEN 0 AND 1),
    elasticity              NUMERIC(8,3),
    elasticity_p10          NUMERIC(8,3),
    elasticity_p90          NUMERIC(8,3),

    floor_price             NUMERIC(10,2),
    ceiling_price           NUMERIC(10,2),
    -- max_price: the seller's; featured_offer_expected_price: Amazon's (getFeaturedOfferExpectedPriceBatch);
    -- rival_buy_box_price: the Buy Box price while a rival holds it; price_grid: 20 % above the current price.
    ceiling_source          VARCHAR(40) CHECK (ceiling_source IN ('max_price', 'featured_offer_expected_price',
                                                                  'rival_buy_box_price', 'price_grid')),
    optimal_price           NUMERIC(10,2) CHECK (optimal_price >= 0),
    confidence_pct          NUMERIC(5,2) CHECK (confidence_pct BETWEEN 0 AND 100),
    units_per_day_now       NUMERIC(10,3),
    units_per_day_at_optimal NUMERIC(10,3),
    profit_per_day_now      NUMERIC(10,2),
    profit_per_day_at_optimal NUMERIC(10,2),

    generated_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (listing_id, suggested_on, model_version),
    CHECK ((status = 'suggested') = (optimal_price IS NOT NULL)),
    CHECK (floor_price IS NULL OR ceiling_price IS NULL OR status <> 'suggested' OR floor_price <= ceiling_price)
);

COMMENT ON TABLE pricing.price_suggestions IS
    'Profit-maximising price per listing inside its guard rails, from its own-price elasticity (shrunk towards its category), with confidence; or, instead of a number, why there is none.';

CREATE INDEX idx_price_suggestions_day ON pricing.price_suggestions (suggested_on);

INSERT INTO system.settings (key, value, description) VALUES
    ('forecasting.horizon_days', '90', 'Days ahead the demand forecast covers (inventory.forecasts).'),
    ('forecasting.default_lead_time_days', '30',
     'Supplier lead time in days for a listing whose bill of materials names no supplier with a lead time.'),
    ('forecasting.order_cover_days', '60',
     'A suggested reorder covers the expected sales of the lead time plus this many days.'),
    ('pricing.suggestion_min_price_change_pct', '3',
     'Price variation a listing''s history needs before its own elasticity is estimated: at least two prices, '
     'each held 14 days or more, this many percent apart (percentage points).')
ON CONFLICT (key) DO NOTHING;
