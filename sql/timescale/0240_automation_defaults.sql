-- 0240_automation_defaults: the settings the rules engine reads and the default rules a fresh install
-- ships with (docs/decisions/2026-11-26-automation-rules-engine.md). Re-running keeps the seller's own
-- values and rules: ON CONFLICT DO NOTHING / WHERE NOT EXISTS, never an UPDATE.

INSERT INTO system.settings (key, value, description) VALUES
    ('automation.reorder_cover_days', '14',
     'Days of sales beyond the supplier lead time a listing''s stock should cover: where inventory.stock has no '
     'reorder_point, the rules engine uses ceil(average units ordered per day over the last 28 days x (the slowest '
     'default supplier lead time in its bill of materials + this)) as the reorder point.'),
    ('automation.backtest_max_days', '366',
     'Longest window `listing-helper rules backtest` evaluates, in days.')
ON CONFLICT (key) DO NOTHING;

-- The default price rule the "competitor undercut" automation resolves: beat the cheapest in-stock
-- rival by 1 %, always inside the guard rails (floor from fct_listing_margins, ceiling, step,
-- cooldown, daily cap). A fresh install only rehearses it: setting pricing.auto_change.dry_run.
INSERT INTO pricing.price_rules (name, description, applies_to, scope_value, rule_type, config, priority)
SELECT 'Beat the cheapest rival by 1%',
       'Price 1 % below the cheapest in-stock rival tracked for the listing, never below the margin floor.',
       'all', NULL, 'competitor_beat', '{"beat_by_pct": 1}', 100
WHERE NOT EXISTS (SELECT 1 FROM pricing.price_rules WHERE name = 'Beat the cheapest rival by 1%');

INSERT INTO workflow.automation_rules (name, description, trigger_type, trigger_config, conditions, action_type,
                                       action_config, cooldown_minutes, max_daily_triggers) VALUES
    ('Low listing score: create a fix task',
     'A live listing scoring below 70 gets an optimisation task naming its biggest fix; at most one a week per listing.',
     'threshold', '{"metric": "score.total", "operator": "lt", "value": 70}',
     '[{"field": "listing.status", "operator": "ne", "value": "inactive"}]',
     'create_task',
     '{"task_type": "optimization", "title_template": "Raise the score of {listing.sku} ({score.total}/100): {score.top_fix}"}',
     10080, 50),
    ('Competitor undercut: propose a price',
     'A rival in stock at least 3 % cheaper than the listing: propose a price from the price rules, inside the guard rails.',
     'competitive', '{"event": "competitor_undercut", "threshold_pct": 3}',
     '[{"field": "margin.margin_is_complete", "operator": "eq", "value": true}]',
     'update_price', '{"change_type": "price_rules"}',
     1440, 100),
    ('Low stock: alert',
     'Stock you can sell now is below the reorder point (when none is set: sales over the supplier lead time plus '
     '14 days), inbound shown beside it; use stock.position_qty instead to count inbound units too. Alert by e-mail.',
     'threshold', '{"metric": "stock.available_qty", "operator": "lt", "value": {"field": "stock.reorder_point"}}',
     '[{"field": "listing.status", "operator": "ne", "value": "inactive"}]',
     'send_alert',
     '{"severity": "high", "channel": "email", "message": "Low stock on {listing.sku}: {stock.available_qty} left + {stock.inbound_qty} inbound, reorder point {stock.reorder_point}"}',
     1440, 100)
ON CONFLICT (name) DO NOTHING;
