-- 0110_keepa_token_budget: the Keepa token bucket shared by every run, and the Buy Box alert type.
-- One row per Keepa key (by a label, never the key itself). Runs take tokens with a single
-- UPDATE ... RETURNING after refilling at system.settings 'sync.keepa.tokens_per_minute' up to
-- 'sync.keepa.token_bucket_max'; each response's tokensLeft reconciles the row with Keepa's count.
CREATE TABLE system.keepa_token_budget (
    account             VARCHAR(50) PRIMARY KEY DEFAULT 'default',
    tokens              NUMERIC(12,3) NOT NULL,         -- may go below zero after reconciling
    refilled_at         TIMESTAMPTZ NOT NULL,           -- refill computed up to here
    server_tokens_left  INTEGER,                        -- last tokensLeft Keepa reported
    server_seen_at      TIMESTAMPTZ,
    tokens_taken_total  BIGINT NOT NULL DEFAULT 0 CHECK (tokens_taken_total >= 0),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

COMMENT ON TABLE system.keepa_token_budget IS
    'Keepa token bucket shared by all runs: refilled from system.settings, taken atomically before each call, reconciled with tokensLeft.';

-- "Buy box lost to a competitor": the Buy Box seller on a tracked ASIN changed.
ALTER TABLE competitors.alerts DROP CONSTRAINT IF EXISTS alerts_alert_type_check;
ALTER TABLE competitors.alerts ADD CONSTRAINT alerts_alert_type_check
    CHECK (alert_type IN ('price_drop', 'price_increase', 'bsr_change', 'new_competitor', 'listing_change',
                          'out_of_stock', 'back_in_stock', 'buy_box_lost'));

-- When the event happened (the observation time), next to created_at (when we noticed).
ALTER TABLE competitors.alerts ADD COLUMN IF NOT EXISTS event_at TIMESTAMPTZ;

-- The rival's image ids as Keepa last showed them: an image swap is a listing change, like a title edit
-- (Keepa keeps no history of either, so ingest compares the stored value with the new payload).
ALTER TABLE competitors.products ADD COLUMN IF NOT EXISTS images TEXT[];
