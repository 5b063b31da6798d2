-- 0140_pricing_settings: the two settings the margin marts need and Amazon does not supply.
-- ON CONFLICT DO NOTHING keeps a seller's own value when the migration runs again.
INSERT INTO system.settings (key, value, description) VALUES
    ('pricing.fbm_fulfilment_cost_gbp', '3.00',
     'GBP per unit, ex VAT: the seller''s own pick, pack and postage cost of one merchant-fulfilled (FBM) order line, '
     'the fulfilment cost in margins where Amazon charges no FBA fee. 3.00 is a placeholder: set your own.'),
    ('fees.referral_category', '"diy_and_tools"',
     'The category of fees.referral_rate_card whose dated entries price the referral fee of every listing '
     'when Amazon sent no per-SKU estimate.')
ON CONFLICT (key) DO NOTHING;
