-- 0120_competitor_alerts_v2: Buy Box lost means OUR offer lost it; direction-aware severities; the
-- price band discovery links rivals by; Buy Box sellers as a tracking reason of their own.
-- (docs/decisions/2026-11-25-competitor-alerts-v2.md)

-- Our own ASINs are fetched from Keepa beside the rivals: their Buy Box seller history is how we
-- see another seller (or Amazon) take the Buy Box from us, and later our Buy Box share. They are
-- not rivals: never linked in competitors.tracking, never given rival alerts.
ALTER TABLE competitors.products ADD COLUMN IF NOT EXISTS is_own_asin BOOLEAN NOT NULL DEFAULT FALSE;
COMMENT ON COLUMN competitors.products.is_own_asin IS
    'TRUE for an ASIN we sell ourselves (catalog.listings, same marketplace), fetched for its Buy Box history; '
    'not a rival.';

-- A rival found through the storefront of a seller who held the Buy Box on one of our rivals. Its
-- own reason, so discovery expands from directly found rivals only (one hop) and converges.
ALTER TABLE competitors.tracking DROP CONSTRAINT IF EXISTS tracking_reason_check;
ALTER TABLE competitors.tracking ADD CONSTRAINT tracking_reason_check
    CHECK (reason IN ('category', 'search_term', 'price_band', 'same_asin', 'manual', 'buy_box_seller'));

-- Severities by direction. The old keys keep their meaning: price_drop_pct as before, rank_jump_pct
-- (the rank number rising) as the fallback of rank_worsen_pct. A key the seller already has keeps its
-- value: defaults || value lets the stored value win.
INSERT INTO system.settings (key, value, description) VALUES ('alerts.competitor_thresholds', '{}', NULL)
ON CONFLICT (key) DO NOTHING;
UPDATE system.settings
SET value = '{"price_drop_pct": {"low": 3, "medium": 5, "high": 10, "critical": 20},
              "price_increase_pct": {"low": 5, "medium": 20, "high": 40},
              "rank_improve_pct": {"low": 25, "medium": 50, "high": 75, "critical": 90},
              "rank_worsen_pct": {"low": 100},
              "rank_jump_pct": {"low": 20, "medium": 50, "high": 100, "critical": 200}}'::jsonb || value,
    description = 'Severity of competitor alerts by size of change, in percentage points of change_pct (5 = 5 %); '
                  'each level is the smallest change that earns it, a change below the lowest level raises no alert. '
                  'price_drop_pct: a rival cutting its price threatens our sales (low..critical). '
                  'price_increase_pct: a rival raising its price is an opportunity, rated lower (low..high). '
                  'rank_improve_pct: a rival''s sales rank number falling by N % (selling more) is a threat. '
                  'rank_worsen_pct: its rank number rising by N % is informational (low only by default). '
                  'rank_jump_pct: the old key for the rank number rising, used only when rank_worsen_pct is absent. '
                  'Buy Box lost (high), out of stock (medium), new competitor (medium), back in stock and listing '
                  'changes (low) have fixed severities.',
    updated_at = now()
WHERE key = 'alerts.competitor_thresholds';

INSERT INTO system.settings (key, value, description) VALUES
    ('competitors.price_band', '{"min_ratio": 0.5, "max_ratio": 2.0}',
     'Discovery links a rival to one of our listings only when the rival''s new price (Keepa''s current one, else the '
     'last ingested) is between min_ratio and max_ratio times our price (multiples: 0.5 = half, 2.0 = twice), and '
     'drops its own links to rivals that moved outside. A rival or listing without a known price is linked on '
     'category and search term alone. Pinned, ignored and hand-added links are never changed.')
ON CONFLICT (key) DO NOTHING;
