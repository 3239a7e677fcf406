"""A flow step that failed: a critical `failed_step` alert in the warehouse as it was (the failed
run's copy is dropped, docs/architecture.md §11), delivered through the configured channels, and
deduplicated like every alert (the same step failing again the next day is `ongoing`).

Recorded as a monitor run of its own (`note` names the step), so the alert log, its
deduplication and the reporting marts treat it like any other alert.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ml.config import load_monitoring_config
from ml.jobs import new_run_id
from ml.monitoring.alerts import Alert, channels_from_config, deliver, triage, triaged_rows
from ml.monitoring.monitor import open_alert_keys
from ml.store import require_ml_tables, write_tables
from riskman.warehouse import connect

MESSAGE_LIMIT = 500


def failed_step_alert(flow: str, step: str, error: BaseException) -> Alert:
    text = f"{type(error).__name__}: {error}"[:MESSAGE_LIMIT]
    return Alert(
        "failed_step",
        "critical",
        "firm",
        f"{flow}.{step}",
        f"flow {flow} failed at step {step}: {text}; the warehouse is as it was before the run",
    )


def record_failed_step(
    db_path: Path,
    flow: str,
    step: str,
    error: BaseException,
    *,
    config: Mapping | None = None,
    environ: Mapping[str, str] | None = None,
) -> bool:
    """Write and deliver the alert; False when there is no built warehouse to write it to (the
    log line of the failed step is then the only record)."""
    config = config or load_monitoring_config()
    environ = os.environ if environ is None else environ
    if not db_path.exists():
        return False
    today = pd.Timestamp(datetime.now(UTC).date())
    with connect(db_path) as con:
        try:
            require_ml_tables(con)
        except Exception:  # noqa: BLE001 - a warehouse dbt never built has no alert log
            return False
        open_keys = open_alert_keys(con, today)
    sorted_out = triage([failed_step_alert(flow, step, error)], open_keys)
    channels, secrets = channels_from_config(config, environ)
    deliveries = deliver(sorted_out.new, channels, secrets)
    run_id = new_run_id("monitor")
    now = datetime.now(UTC)
    rows = triaged_rows(sorted_out, deliveries, secrets)
    run = {"run_id": run_id, "as_of_date": today.date(), "started_at": now, "finished_at": now,
           "note": f"failed step {flow}.{step}", "alerts_raised": len(sorted_out.new)}  # fmt: skip
    with connect(db_path) as con:
        write_tables(
            con,
            {
                "monitor_runs": pd.DataFrame([run]),
                "alerts": pd.DataFrame(rows).assign(run_id=run_id, as_of_date=today.date()),
            },
        )
    return True
