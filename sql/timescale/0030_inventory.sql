-- 0030_inventory: suppliers, components and their prices, bills of materials, stock (current
-- and history) and demand forecasts. The seed's inventory.listing_landed_costs view is not
-- created: it double-counted components; dbt builds landed costs
-- (docs/decisions/2026-11-25-landed-cost-view-removed.md).

-- ---------------------------------------------------------------------------
-- Suppliers
-- ---------------------------------------------------------------------------
CREATE TABLE inventory.suppliers (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),

    name                VARCHAR(255) NOT NULL,
    code                VARCHAR(50) UNIQUE,

    contact_name        VARCHAR(255),
    email               VARCHAR(255),
    phone               VARCHAR(50),

    country             VARCHAR(2) NOT NULL DEFAULT 'GB' CHECK (country ~ '^[A-Z]{2}$'),
    is_domestic         BOOLEAN NOT NULL DEFAULT TRUE,

    payment_terms       VARCHAR(50),        -- 'Net30', 'COD', ...
    lead_time_days      INTEGER CHECK (lead_time_days >= 0),
    min_order_value     NUMERIC(10,2) CHECK (min_order_value >= 0),

    quality_score       NUMERIC(5,2) CHECK (quality_score BETWEEN 0 AND 100),
    reliability_score   NUMERIC(5,2) CHECK (reliability_score BETWEEN 0 AND 100),

    notes               TEXT,
    is_active           BOOLEAN NOT NULL DEFAULT TRUE,

    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

COMMENT ON TABLE inventory.suppliers IS 'Suppliers of components and finished goods.';

-- ---------------------------------------------------------------------------
-- Components
-- ---------------------------------------------------------------------------
CREATE TABLE inventory.components (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),

    name                VARCHAR(255) NOT NULL,
    sku                 VARCHAR(100) UNIQUE,
    description         TEXT,

    component_type      VARCHAR(50)
                        CHECK (component_type IN ('raw_material', 'packaging', 'label', 'accessory')),

    -- The landed cost uses this supplier's price for the component.
    default_supplier_id UUID REFERENCES inventory.suppliers (id),

    stock_quantity      INTEGER NOT NULL DEFAULT 0 CHECK (stock_quantity >= 0),
    reorder_point       INTEGER CHECK (reorder_point >= 0),
    reorder_quantity    INTEGER CHECK (reorder_quantity > 0),

    unit_of_measure     VARCHAR(20) NOT NULL DEFAULT 'each',    -- 'each', 'kg', 'meter', ...

    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

COMMENT ON TABLE inventory.components IS 'Parts, materials and packaging that make up a sellable listing.';

-- ---------------------------------------------------------------------------
-- Component prices: per supplier, quantity break and validity period
-- ---------------------------------------------------------------------------
CREATE TABLE inventory.component_prices (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    component_id        UUID NOT NULL REFERENCES inventory.components (id),
    supplier_id         UUID NOT NULL REFERENCES inventory.suppliers (id),

    unit_cost           NUMERIC(10,4) NOT NULL CHECK (unit_cost >= 0),
    currency            VARCHAR(3) NOT NULL DEFAULT 'GBP' CHECK (currency ~ '^[A-Z]{3}$'),
    -- Needed for any non-GBP price: there is no FX feed, the seller records the rate paid.
    fx_rate_to_gbp      NUMERIC(12,6) CHECK (fx_rate_to_gbp > 0),

    min_quantity        INTEGER NOT NULL DEFAULT 1 CHECK (min_quantity >= 1),   -- quantity break

    valid_from          DATE NOT NULL DEFAULT CURRENT_DATE,
    valid_to            DATE,

    -- Import costs for international suppliers. Freight is quoted per consignment of
    -- shipping_units units (a carton, a pallet), so pennies per screw are not rounded away:
    -- freight per unit = shipping_cost / shipping_units.
    import_duty_pct     NUMERIC(5,2) NOT NULL DEFAULT 0 CHECK (import_duty_pct BETWEEN 0 AND 100),
    shipping_cost       NUMERIC(10,2) NOT NULL DEFAULT 0 CHECK (shipping_cost >= 0),
    shipping_units      INTEGER NOT NULL DEFAULT 1 CHECK (shipping_units > 0),

    -- Kept from the seed as the seller's switch to retire a price; landed cost still picks
    -- by validity dates (default supplier, applicable break, latest valid_from).
    is_current          BOOLEAN NOT NULL DEFAULT TRUE,

    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),

    UNIQUE (component_id, supplier_id, min_quantity, valid_from),
    CHECK (valid_to IS NULL OR valid_to >= valid_from),
    CHECK (currency = 'GBP' OR fx_rate_to_gbp IS NOT NULL)
);

COMMENT ON TABLE inventory.component_prices IS
    'Supplier prices per component with quantity breaks, validity, duty % and per-unit freight. Several rows per component are normal; dbt picks one.';
COMMENT ON COLUMN inventory.component_prices.shipping_cost IS
    'Inbound freight for a consignment of shipping_units units, in the price currency.';

-- ---------------------------------------------------------------------------
-- Bill of materials
-- ---------------------------------------------------------------------------
CREATE TABLE inventory.bill_of_materials (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    listing_id          UUID NOT NULL REFERENCES catalog.listings (id),
    component_id        UUID NOT NULL REFERENCES inventory.components (id),

    quantity            NUMERIC(10,4) NOT NULL DEFAULT 1 CHECK (quantity > 0),

    -- Per-unit cost in GBP that replaces the supplier price for this BOM line.
    cost_override       NUMERIC(10,4) CHECK (cost_override >= 0),

    notes               TEXT,

    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),

    UNIQUE (listing_id, component_id)
);

COMMENT ON TABLE inventory.bill_of_materials IS 'Components (and quantities) that make one unit of a listing.';

CREATE INDEX idx_bom_component ON inventory.bill_of_materials (component_id);

-- ---------------------------------------------------------------------------
-- Stock: current position per listing, fulfilment channel and location
-- ---------------------------------------------------------------------------
CREATE TABLE inventory.stock (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    listing_id          UUID NOT NULL REFERENCES catalog.listings (id),
    fulfillment_channel VARCHAR(10) NOT NULL CHECK (fulfillment_channel IN ('FBA', 'FBM')),
    -- FBA: the fulfilment network ('UK'); FBM: the seller's own store or warehouse name.
    location            VARCHAR(50) NOT NULL DEFAULT 'default',

    fulfillable_qty     INTEGER NOT NULL DEFAULT 0 CHECK (fulfillable_qty >= 0),
    inbound_working_qty INTEGER NOT NULL DEFAULT 0 CHECK (inbound_working_qty >= 0),
    inbound_shipped_qty INTEGER NOT NULL DEFAULT 0 CHECK (inbound_shipped_qty >= 0),
    inbound_receiving_qty INTEGER NOT NULL DEFAULT 0 CHECK (inbound_receiving_qty >= 0),
    reserved_qty        INTEGER NOT NULL DEFAULT 0 CHECK (reserved_qty >= 0),
    unfulfillable_qty   INTEGER NOT NULL DEFAULT 0 CHECK (unfulfillable_qty >= 0),

    -- Seller's replenishment settings
    reorder_point       INTEGER CHECK (reorder_point >= 0),
    reorder_quantity    INTEGER CHECK (reorder_quantity > 0),
    safety_stock        INTEGER CHECK (safety_stock >= 0),

    -- Written back from the forecast/velocity mart; NULL when there are no recent sales.
    days_of_cover       NUMERIC(8,1) CHECK (days_of_cover >= 0),

    source              VARCHAR(20) NOT NULL DEFAULT 'sp_api' CHECK (source IN ('sp_api', 'manual')),
    as_of               TIMESTAMPTZ NOT NULL,   -- when Amazon / the seller counted it
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),

    UNIQUE (listing_id, fulfillment_channel, location)
);

COMMENT ON TABLE inventory.stock IS
    'Current stock per listing, fulfilment channel and location: fulfillable, inbound, reserved, unfulfillable, reorder settings, days of cover.';

-- Stock snapshots over time, totalled per listing across locations (a listing is one SKU,
-- so one fulfilment channel): attribution controls for stock-outs, forecasts learn from it.
CREATE TABLE inventory.stock_history (
    time                TIMESTAMPTZ NOT NULL,
    listing_id          UUID NOT NULL REFERENCES catalog.listings (id),

    fulfillable_qty     INTEGER NOT NULL CHECK (fulfillable_qty >= 0),
    inbound_qty         INTEGER NOT NULL DEFAULT 0 CHECK (inbound_qty >= 0),   -- working + shipped + receiving
    reserved_qty        INTEGER NOT NULL DEFAULT 0 CHECK (reserved_qty >= 0),
    unfulfillable_qty   INTEGER NOT NULL DEFAULT 0 CHECK (unfulfillable_qty >= 0),

    PRIMARY KEY (listing_id, time)
) /*partitioned: PARTITION BY RANGE (time) */;

COMMENT ON TABLE inventory.stock_history IS
    'Time series of stock snapshots per listing (all locations summed). Append-only; no foreign key may reference it.';

SELECT system.setup_time_series('inventory.stock_history', time_column => 'time', segment_by => 'listing_id', chunk_interval => INTERVAL '30 days', compress_after => INTERVAL '30 days', retain_for => INTERVAL '2 years');

-- ---------------------------------------------------------------------------
-- Demand forecasts
-- ---------------------------------------------------------------------------
CREATE TABLE inventory.forecasts (
    listing_id          UUID NOT NULL REFERENCES catalog.listings (id),
    forecast_date       DATE NOT NULL,      -- forecast origin: last day of actuals used
    target_date         DATE NOT NULL,      -- the day the units are forecast for
    model_version       VARCHAR(50) NOT NULL,

    -- Quantiles of units sold on target_date: an 80 % interval around the median.
    units_p10           NUMERIC(10,2) NOT NULL CHECK (units_p10 >= 0),
    units_p50           NUMERIC(10,2) NOT NULL,
    units_p90           NUMERIC(10,2) NOT NULL,

    generated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),

    -- Re-running a forecast for the same origin and model upserts; other models and other
    -- origins sit beside it, so forecasts can be scored against actuals later.
    PRIMARY KEY (listing_id, forecast_date, target_date, model_version),
    CHECK (target_date > forecast_date),
    CHECK (units_p10 <= units_p50 AND units_p50 <= units_p90)
);

COMMENT ON TABLE inventory.forecasts IS
    'Daily unit forecasts per listing: p10/p50/p90 by origin date, target date and model version.';

-- Latest forecast across listings, and the retention delete by origin date.
CREATE INDEX idx_forecasts_origin ON inventory.forecasts (forecast_date);
