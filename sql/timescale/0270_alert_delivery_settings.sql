-- 0270_alert_delivery_settings: how the alert dispatcher (orchestration/alerts) retries deliveries from
-- workflow.alert_outbox (docs/decisions/2026-11-26-alert-delivery.md). Destinations and their secrets are
-- not settings: they come from the environment first, then system.creds. Re-running keeps the seller's values.

INSERT INTO system.settings (key, value, description) VALUES
    ('alerts.retry_base_seconds', '60',
     'Wait before the second delivery attempt of an alert; each further attempt waits twice as long as the one '
     'before (60 s, 2 min, 4 min, ...), capped by alerts.retry_max_seconds. After workflow.alert_outbox.max_attempts '
     'the alert is abandoned with the last error.'),
    ('alerts.retry_max_seconds', '21600',
     'Longest wait between two delivery attempts of an alert, in seconds (6 hours).'),
    ('alerts.lease_seconds', '300',
     'How long a dispatcher holds an alert it is sending; a dispatcher that crashes gives its alerts back after this.')
ON CONFLICT (key) DO NOTHING;
