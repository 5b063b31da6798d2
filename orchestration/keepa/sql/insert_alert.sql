-- One alert; dedupe_key (type, competitor, event time) makes a repeat detection a no-op.
INSERT INTO competitors.alerts (competitor_id, alert_type, previous_value, new_value, change_pct, severity,
                                affected_listings, dedupe_key, event_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (dedupe_key) DO NOTHING
