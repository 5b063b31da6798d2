"""Alert delivery: drains workflow.alert_outbox to webhooks (Slack-compatible JSON) and e-mail (SMTP)."""
