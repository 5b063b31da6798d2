-- 0105: exchange rates for supplier prices quoted in other currencies (landed cost is in GBP).
-- GBP per unit of the currency; the seller keeps them current (a CSV's own fx_rate_to_gbp column wins).
INSERT INTO system.settings (key, value, description) VALUES
    ('fx.rates_to_gbp', '{"USD": 0.79, "EUR": 0.85, "CNY": 0.11, "TWD": 0.024}',
     'GBP per unit of each currency, for supplier prices not quoted in GBP; update when rates move')
ON CONFLICT (key) DO NOTHING;
