"""Prefect flows: daily, weekly and monthly recipes over the riskman steps (no business logic here).

Prefect's server sends anonymous telemetry by default; a risk system runs without network
beyond its own (and the tests must not reach the internet): off unless set otherwise.
"""

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
