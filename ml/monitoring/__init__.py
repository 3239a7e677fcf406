"""Monitoring: drift, model health, alerts and the audit trail (docs/architecture.md §8)."""
