"""API keys, webhooks, idempotency records (built in the integration issue)."""
