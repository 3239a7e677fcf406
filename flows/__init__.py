"""Prefect flows: daily, weekly and monthly recipes over the riskman steps (no business logic here)."""
