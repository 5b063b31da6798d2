-- 0040_competitors: competitor products (Keepa), which of our listings each is tracked for,
-- their history (time series) and alerts. In the history, Keepa prices stay integer pence as
-- Keepa sends them; the seed's GBP columns are kept and derived from them by trigger
-- (docs/decisions/2026-11-25-competitor-history-units.md).

-- ---------------------------------------------------------------------------
-- Competitor products
-- ---------------------------------------------------------------------------
CREATE TABLE competitors.products (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),

    asin                VARCHAR(10) NOT NULL CHECK (asin ~ '^[A-Z0-9]{10}$'),
    marketplace_id      VARCHAR(20) NOT NULL DEFAULT 'A1F83G8C2ARO7P'   -- amazon.co.uk
                        CHECK (marketplace_id ~ '^[A-Z0-9]+$'),

    -- Basic info (Keepa)
    title               TEXT,
    brand               VARCHAR(255),
    seller_name         VARCHAR(255),
    seller_id           VARCHAR(50),

    category_path       TEXT[],

    -- Current state (the latest point of competitors.price_history), in GBP for people and BI.
    current_price       NUMERIC(10,2) CHECK (current_price >= 0),   -- lowest new price
    current_bsr         INTEGER CHECK (current_bsr > 0),
    review_count        INTEGER CHECK (review_count >= 0),
    rating              NUMERIC(3,2) CHECK (rating BETWEEN 0 AND 5),   -- stars

    -- Buy Box
    buy_box_price       NUMERIC(10,2) CHECK (buy_box_price >= 0),   -- incl. shipping
    buy_box_seller      VARCHAR(255),
    is_amazon_seller    BOOLEAN NOT NULL DEFAULT FALSE,

    -- Written back from the threat-score mart.
    threat_score        NUMERIC(5,2) CHECK (threat_score BETWEEN 0 AND 100),
    tracking_priority   VARCHAR(20) NOT NULL DEFAULT 'normal'
                        CHECK (tracking_priority IN ('high', 'normal', 'low')),

    -- Our listings this competitor is tracked for (not ignored). Read-only convenience kept
    -- from the seed: maintained by trigger from competitors.tracking, the one place to write.
    tracked_for_listings UUID[],

    last_synced_at      TIMESTAMPTZ,
    -- Keepa domain ids: 1 com, 2 co.uk, 3 de, 4 fr, 5 co.jp, 6 ca, 8 it, 9 es, 10 in,
    -- 11 com.mx, 12 com.br. The seed's default 3 was amazon.de.
    keepa_domain_id     INTEGER NOT NULL DEFAULT 2
                        CHECK (keepa_domain_id IN (1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12)),

    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT products_asin_marketplace_key UNIQUE (asin, marketplace_id)
);

COMMENT ON TABLE competitors.products IS
    'Competitor ASINs per marketplace (natural key asin, marketplace_id) with their latest Keepa state (GBP).';
COMMENT ON COLUMN competitors.products.keepa_domain_id IS
    'Keepa domain id: 2 = amazon.co.uk (keepa library name ''GB''); 3 would be amazon.de.';

-- The seed's idx_competitor_asin duplicated the leading column of the UNIQUE constraint.
CREATE INDEX idx_competitor_threat ON competitors.products (threat_score DESC);

-- ---------------------------------------------------------------------------
-- Tracking: which of our listings a competitor is tracked for, and why
-- ---------------------------------------------------------------------------
CREATE TABLE competitors.tracking (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    competitor_id       UUID NOT NULL REFERENCES competitors.products (id) ON DELETE CASCADE,
    listing_id          UUID NOT NULL REFERENCES catalog.listings (id) ON DELETE CASCADE,

    -- How discovery found it: same category, shared search term, similar price band, our
    -- own ASIN (other offers on it), or added by hand.
    reason              VARCHAR(20) NOT NULL
                        CHECK (reason IN ('category', 'search_term', 'price_band', 'same_asin', 'manual')),
    reason_detail       TEXT,               -- the search term, category or band that matched
    relevance_score     NUMERIC(5,2) CHECK (relevance_score BETWEEN 0 AND 100),

    -- The seller's word overrides discovery: 'pinned' stays tracked even when discovery no
    -- longer finds it, 'ignored' is never tracked or alerted on again. Discovery upserts
    -- must leave these two alone.
    status              VARCHAR(10) NOT NULL DEFAULT 'auto'
                        CHECK (status IN ('auto', 'pinned', 'ignored')),

    first_seen_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at        TIMESTAMPTZ NOT NULL DEFAULT now(),     -- last time discovery confirmed it
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),

    UNIQUE (listing_id, competitor_id)
);

COMMENT ON TABLE competitors.tracking IS
    'Links competitor products to the listings they compete with, with the discovery reason and the seller''s pin/ignore choice.';

CREATE INDEX idx_tracking_competitor ON competitors.tracking (competitor_id);

-- Keeps competitors.products.tracked_for_listings equal to the tracked, non-ignored listings.
-- OLD is NULL on INSERT and NEW on DELETE, so one function serves all three.
CREATE FUNCTION competitors.refresh_tracked_for_listings() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE competitors.products p
    SET tracked_for_listings = (SELECT array_agg(t.listing_id ORDER BY t.listing_id)
                                FROM competitors.tracking t
                                WHERE t.competitor_id = p.id AND t.status <> 'ignored')
    WHERE p.id IN (NEW.competitor_id, OLD.competitor_id);
    RETURN NULL;
END
$$;

CREATE TRIGGER tracking_refresh_tracked_for_listings
    AFTER INSERT OR DELETE OR UPDATE OF competitor_id, listing_id, status ON competitors.tracking
    FOR EACH ROW EXECUTE FUNCTION competitors.refresh_tracked_for_listings();

-- ---------------------------------------------------------------------------
-- Competitor history (time series), widened to what Keepa's csv series give.
-- One row per competitor and instant; a series without a point at that instant is NULL.
-- Keepa's -1 (no offer / out of stock) is stored as a NULL price plus a TRUE flag, so
-- "no observation" (price NULL, flag NULL) and "out of stock" stay distinguishable.
-- ---------------------------------------------------------------------------
CREATE TABLE competitors.price_history (
    time                    TIMESTAMPTZ NOT NULL,
    competitor_id           UUID NOT NULL REFERENCES competitors.products (id),

    -- The seed's GBP columns, derived by trigger from the pence columns below (or, when a
    -- writer only has GBP, the pence columns are derived from them): never out of step.
    price                   NUMERIC(10,2) CHECK (price >= 0),           -- = new_price_pence / 100
    buy_box_price           NUMERIC(10,2) CHECK (buy_box_price >= 0),   -- = buy_box_price_pence / 100

    amazon_price_pence      INTEGER CHECK (amazon_price_pence >= 0),        -- csv[0] AMAZON
    new_price_pence         INTEGER CHECK (new_price_pence >= 0),           -- csv[1] NEW
    new_fba_price_pence     INTEGER CHECK (new_fba_price_pence >= 0),       -- csv[10] NEW_FBA
    buy_box_price_pence     INTEGER CHECK (buy_box_price_pence >= 0),       -- csv[18] price incl. shipping
    buy_box_shipping_pence  INTEGER CHECK (buy_box_shipping_pence >= 0),    -- csv[18] shipping part
    bsr                     INTEGER CHECK (bsr > 0),                        -- csv[3] SALES rank
    new_offer_count         INTEGER CHECK (new_offer_count >= 0),           -- csv[11] COUNT_NEW
    rating                  NUMERIC(3,1) CHECK (rating BETWEEN 0 AND 5),    -- csv[16] / 10, stars
    review_count            INTEGER CHECK (review_count >= 0),              -- csv[17]
    buy_box_seller_id       VARCHAR(20),                                    -- buyBoxSellerIdHistory

    amazon_out_of_stock     BOOLEAN,
    new_out_of_stock        BOOLEAN,
    new_fba_out_of_stock    BOOLEAN,
    buy_box_out_of_stock    BOOLEAN,        -- no Buy Box offer at all

    source                  VARCHAR(20) NOT NULL DEFAULT 'keepa' CHECK (source IN ('keepa', 'sp_api', 'manual')),

    PRIMARY KEY (competitor_id, time),

    -- An out-of-stock series has no price at that instant.
    CHECK (amazon_out_of_stock IS NOT TRUE OR amazon_price_pence IS NULL),
    CHECK (new_out_of_stock IS NOT TRUE OR new_price_pence IS NULL),
    CHECK (new_fba_out_of_stock IS NOT TRUE OR new_fba_price_pence IS NULL),
    CHECK (buy_box_out_of_stock IS NOT TRUE OR buy_box_price_pence IS NULL)
) /*partitioned: PARTITION BY RANGE (time) */;

COMMENT ON TABLE competitors.price_history IS
    'Time series of Keepa observations per competitor: prices in integer pence, rank, offers, rating, reviews, Buy Box seller, out-of-stock flags. Append-only; no foreign key may reference it.';

-- Pence are the truth; GBP follows. Only a writer that set GBP alone (an insert without
-- pence, or an update that changed GBP but not pence) has its pence derived from GBP.
CREATE FUNCTION competitors.price_history_sync_units() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.new_price_pence := COALESCE(NEW.new_price_pence, round(NEW.price * 100)::INTEGER);
        NEW.buy_box_price_pence := COALESCE(NEW.buy_box_price_pence, round(NEW.buy_box_price * 100)::INTEGER);
    ELSE
        IF NEW.new_price_pence IS NOT DISTINCT FROM OLD.new_price_pence AND NEW.price IS DISTINCT FROM OLD.price THEN
            NEW.new_price_pence := round(NEW.price * 100)::INTEGER;
        END IF;
        IF NEW.buy_box_price_pence IS NOT DISTINCT FROM OLD.buy_box_price_pence
           AND NEW.buy_box_price IS DISTINCT FROM OLD.buy_box_price THEN
            NEW.buy_box_price_pence := round(NEW.buy_box_price * 100)::INTEGER;
        END IF;
    END IF;
    NEW.price := NEW.new_price_pence / 100.0;
    NEW.buy_box_price := NEW.buy_box_price_pence / 100.0;
    RETURN NEW;
END
$$;

CREATE TRIGGER price_history_sync_units
    BEFORE INSERT OR UPDATE ON competitors.price_history
    FOR EACH ROW EXECUTE FUNCTION competitors.price_history_sync_units();

SELECT system.setup_time_series('competitors.price_history', time_column => 'time', segment_by => 'competitor_id', chunk_interval => INTERVAL '7 days', compress_after => INTERVAL '30 days', retain_for => INTERVAL '2 years');

-- ---------------------------------------------------------------------------
-- Competitor alerts
-- ---------------------------------------------------------------------------
CREATE TABLE competitors.alerts (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    competitor_id       UUID NOT NULL REFERENCES competitors.products (id),

    alert_type          VARCHAR(30) NOT NULL
                        CHECK (alert_type IN ('price_drop', 'price_increase', 'bsr_change', 'new_competitor',
                                              'listing_change', 'out_of_stock', 'back_in_stock')),

    previous_value      TEXT,
    new_value           TEXT,
    change_pct          NUMERIC(10,2),

    severity            VARCHAR(10) NOT NULL DEFAULT 'medium'
                        CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    affected_listings   UUID[],             -- our listings affected

    status              VARCHAR(20) NOT NULL DEFAULT 'new'
                        CHECK (status IN ('new', 'viewed', 'actioned', 'dismissed')),
    actioned_at         TIMESTAMPTZ,
    action_taken        TEXT,

    -- Set by the detecting sensor (e.g. 'price_drop:<competitor>:<observation time>') so a
    -- re-run of the same window does not raise the alert twice.
    dedupe_key          VARCHAR(200) UNIQUE,

    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

COMMENT ON TABLE competitors.alerts IS
    'Detected competitor events (price moves, rank jumps, stock-outs) with severity and the seller''s handling status.';

CREATE INDEX idx_alerts_status ON competitors.alerts (status, created_at DESC);
CREATE INDEX idx_alerts_severity ON competitors.alerts (severity, created_at DESC);
CREATE INDEX idx_alerts_competitor ON competitors.alerts (competitor_id, created_at DESC);
