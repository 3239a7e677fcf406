"""The flows' steps as Prefect tasks, each one call into the library (riskman.pipeline, ml.jobs,
ml.policy_jobs, ml.monitoring, ml.reports) on the run's working copy of the warehouse. Retries
only where the step talks to the outside (the API download, alert delivery happens inside
monitor and reports its own failures); a step that fails on our own data fails the run."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import task

from ml import jobs
from ml.monitoring.monitor import monitor
from ml.policy_jobs import policy_backtest
from ml.reports import write_morning_report, write_reports
from riskman import pipeline


class StepFailed(Exception):
    """A step that returned a failure rather than raising (nothing usable ingested, a critical
    data check)."""


@task(retries=3, retry_delay_seconds=30)
def download(start: date, end: date, folder: Path | None) -> Path:
    return pipeline.download_from_api(start, end, folder)


@task
def ingest(folder: Path, db: Path) -> dict:
    report = pipeline.ingest(folder, db)
    if not report.usable:
        raise StepFailed(f"nothing usable in {folder}")
    return {"files": report.files_seen, "rows_loaded": report.total("rows_loaded")}


@task
def build(db: Path) -> dict:
    result = pipeline.build_warehouse(db)
    if result.dbt_returncode != 0:
        raise StepFailed(f"dbt build failed: {', '.join(result.dbt_failures) or 'see the dbt log'}")
    # A critical data check does not fail the run: predict stops the traders it names and
    # monitor alerts on them (ml.data_gate).
    return {"critical_checks": len(result.checks.critical_failures)}


@task
def predict(db: Path) -> dict:
    result = jobs.predict(db)
    return {"run_id": result.run_id, "traders": len(result.predictions), "reused": result.reused}


@task
def monitor_step(db: Path, report_dir: Path) -> dict:
    run = monitor(db, report_dir=report_dir)
    return {"run_id": run.run_id, "new_alerts": len(run.raised), "reused": run.reused}


@task
def morning_report(db: Path, report_dir: Path) -> dict:
    return {"morning": str(write_morning_report(db, report_dir))}


@task
def reports(db: Path, report_dir: Path) -> dict:
    written = write_reports(db, report_dir)
    return {"backtest": str(written.backtest), "morning": str(written.morning)}


@task
def backtest(db: Path, step_days: int | None) -> dict:
    run = jobs.backtest(db, step_days=step_days)
    policies = policy_backtest(db, predictions_run_id=run.run_id)
    return {"run_id": run.run_id, "policy_run_id": policies.run_id, "reused": run.reused}


@task
def train(db: Path) -> dict:
    result = jobs.train(db)
    return {"version": result.version, "promoted": result.promoted, "reason": result.reason}
