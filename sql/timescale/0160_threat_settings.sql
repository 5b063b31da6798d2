-- 0160_threat_settings: how the competitor threat score (dbt marts/competitors) weighs and scales its signals.
-- Read through dbt's int_settings_current. A seller's own values are never overwritten (ON CONFLICT DO NOTHING).
-- Units as in 0070: JSON fields ending in _pct are percentage points (20 = 20 %), weights are fractions.

INSERT INTO system.settings (key, value, description) VALUES
    ('competitors.threat_weights',
     '{"price_gap": 0.30, "buy_box_share": 0.25, "rank_trend": 0.20, "review_velocity": 0.15, "rating": 0.10}',
     'Weights of the signals in the competitor threat score (fractions summing to 1). A signal that cannot be '
     'measured for a rival (e.g. the Buy Box share when Keepa has no history of our own ASIN) is left out and the '
     'score is the weighted mean of the signals that were measured.'),
    ('competitors.threat_window_days', '30',
     'Days in the threat score window: rank trend compares the rival''s average sales rank over the last N days with '
     'the N days before; review velocity counts reviews gained in the last N days; Buy Box share is over the last N days.'),
    ('competitors.threat_full_points',
     '{"undercut_pct": 20, "buy_box_share_pct": 25, "rank_improvement_pct": 50, "reviews_gained": 50, "rating_lead_stars": 1.0}',
     'Size of each signal that earns full threat points (100), in its own unit. Price gap: a rival this many % '
     'cheaper than our VAT-inclusive price scores 100, the same price 50, this many % dearer 0. Rank trend: the '
     'rival''s average sales rank this many % better than the window before scores 100, unchanged 50, this many % '
     'worse 0. Rating (when our rating is known): this many stars above ours scores 100, equal 50, this many below '
     '0. Buy Box share (percentage points of the window a rival''s seller held our Buy Box) and reviews gained in '
     'the window score 0 at zero and 100 at this size. Points in between are linear.'),
    ('competitors.threat_levels', '{"medium": 40, "high": 70}',
     'Threat score (0-100) from which a rival counts as a medium or a high threat; below medium it is low.')
ON CONFLICT (key) DO NOTHING;
