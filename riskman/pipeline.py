"""The main job's steps, each a function a CLI command or a Prefect task can call."""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path

from riskman import settings
from riskman.dbt import run_dbt
from riskman.logs import log_step

logger = logging.getLogger(__name__)


def ingest_and_report(folder: Path, db_path: Path, traders_config: Path | None = None) -> bool:
    """Ingest a folder of exports and print a summary; False when nothing usable was read."""
    from riskman.ingest import describe, ingest_folder

    with log_step(logger, "ingest", folder=folder, db=db_path) as step:
        report = ingest_folder(folder, db_path, traders_config)
        step.update(
            files=report.files_seen,
            rows_loaded=report.total("rows_loaded"),
            rows_quarantined=report.total("rows_quarantined"),
        )
    print(describe(report))
    for load in report.files:
        if load.rows_quarantined or load.status == "rejected":
            print(
                f"  {load.status}: {load.source.path} quarantined={load.rows_quarantined}"
                + (f" ({load.message})" if load.message else "")
            )
    if not report.usable:
        logger.error("step=ingest status=nothing_usable folder=%s", folder)
    return report.usable


def download_from_api(start: date, end: date, out: Path | None) -> Path:
    """Download exports for [start, end] from the PropReports API into a folder; return it."""
    from riskman.propreports_api import PropReportsClient, download_exports

    folder = out or settings.data_dir() / "exports" / f"api_{datetime.now():%Y%m%dT%H%M%S}"
    with log_step(logger, "download", start=start, end=end, folder=folder) as step:
        summary = download_exports(PropReportsClient.from_env(), folder, start, end)
        step.update(files=summary.files_written, requests=summary.requests)
    return folder


def build_warehouse(db_path: Path) -> bool:
    """`dbt build`, then the data checks; True when dbt passed and no critical check failed.

    The checks run even when dbt failed: what they find in raw often explains why.
    """
    from riskman.quality import run_data_checks

    if not _has_ingested_data(db_path):
        print(f"nothing to build: {db_path} holds no ingested exports yet; run `riskman ingest DIR` first")
        return False
    with log_step(logger, "dbt_build", db=db_path) as step:
        result = run_dbt(["build"], db_path)
        step["returncode"] = result.returncode
    report = run_data_checks(db_path)
    print(report.summary())
    return result.returncode == 0 and report.ok


def _has_ingested_data(db_path: Path) -> bool:
    import duckdb

    if not db_path.exists():
        return False
    with duckdb.connect(str(db_path), read_only=True) as con:
        tables = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = 'load_log'"
        ).fetchall()[0][0]
        return bool(tables) and con.execute("select count(*) from raw.load_log").fetchall()[0][0] > 0


def run_demo(out: Path | None, traders: int, db_path: Path) -> bool:
    """Demo firm → ingest → dbt build, on the embedded default warehouse."""
    from riskman.demo_firm import generate_demo_firm

    folder = out or settings.data_dir() / "demo_firm"
    with log_step(logger, "demo_data", folder=folder, traders=traders) as step:
        step.update(generate_demo_firm(folder, traders=traders))
    return ingest_and_report(folder, db_path) and build_warehouse(db_path)
