"""Webhooks: organisations register endpoints; booking and billing events reach them signed
(Standard Webhooks) from an outbox, retried with backoff for 24 hours."""
