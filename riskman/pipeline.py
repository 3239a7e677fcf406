"""The main job's steps, each a function a CLI command or a Prefect task can call.

They return what they found (reports, results); printing is the caller's business.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from riskman import settings
from riskman.dbt import failed_nodes, run_dbt, schema_changed
from riskman.ingest.schema import raw_table_has_rows
from riskman.logs import log_step
from riskman.warehouse import wait_until_free

if TYPE_CHECKING:  # the data checks import Great Expectations: seconds a plain ingest never needs
    from riskman.quality import QualityReport

logger = logging.getLogger(__name__)


class NothingToBuild(Exception):
    """The warehouse holds no ingested exports yet."""


@dataclass(frozen=True)
class BuildResult:
    """`dbt build` and the data checks after it."""

    dbt_returncode: int
    checks: QualityReport
    dbt_failures: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.dbt_returncode == 0 and self.checks.ok

    def summary(self) -> str:
        """The dbt outcome with every failing model or test by name, then the data checks."""
        dbt = "ok" if self.dbt_returncode == 0 else f"failed (exit {self.dbt_returncode})"
        details = "".join(f"\n  {line}" for line in (*self.notes, *self.dbt_failures))
        return f"dbt build: {dbt}{details}\n{self.checks.summary()}"


def ingest(folder: Path, db_path: Path, traders_config: Path | None = None):
    """Ingest a folder of exports; the IngestReport says what became of every file."""
    from riskman.ingest import ingest_folder

    with log_step(logger, "ingest", folder=folder, db=db_path) as step:
        report = ingest_folder(folder, db_path, traders_config)
        step.update(
            files=report.files_seen,
            rows_loaded=report.total("rows_loaded"),
            rows_quarantined=report.total("rows_quarantined"),
        )
    if not report.usable:
        logger.error("step=ingest status=nothing_usable folder=%s", folder)
    return report


def download_from_api(start: date, end: date, out: Path | None) -> Path:
    """Download exports for [start, end] from the PropReports API into a folder; return it."""
    from riskman.propreports_api import PropReportsClient, download_exports

    folder = out or settings.data_dir() / "exports" / f"api_{datetime.now():%Y%m%dT%H%M%S}"
    with log_step(logger, "download", start=start, end=end, folder=folder) as step:
        summary = download_exports(PropReportsClient.from_env(), folder, start, end)
        step.update(files=summary.files_written, requests=summary.requests)
    return folder


def build_warehouse(db_path: Path, *, full_refresh: bool = False) -> BuildResult:
    """`dbt build`, then the data checks. The checks run even when dbt failed: what they find in
    raw often explains why. `full_refresh` rebuilds the incremental models from scratch (needed
    once when an upgrade changed their columns). Raises NothingToBuild before any ingest."""
    from riskman.quality import run_data_checks

    if not raw_table_has_rows(db_path, "load_log"):
        raise NothingToBuild(f"{db_path} holds no ingested exports yet; run `riskman ingest DIR` first")
    wait_until_free(db_path)  # dbt would fail on the lock with a message nobody reads
    returncode = _dbt_build(db_path, full_refresh)
    notes: tuple[str, ...] = ()
    changed = schema_changed() if returncode != 0 and not full_refresh else []
    if changed:
        # An upgrade changed the columns of incremental models: rebuild them in full, once.
        notes = (
            f"columns of {', '.join(changed)} changed since the last build: rebuilt with --full-refresh",
        )
        returncode = _dbt_build(db_path, full_refresh=True)
    failures = tuple(failed_nodes()) if returncode != 0 else ()
    return BuildResult(returncode, run_data_checks(db_path), failures, notes)


def _dbt_build(db_path: Path, full_refresh: bool) -> int:
    with log_step(logger, "dbt_build", db=db_path, full_refresh=full_refresh) as step:
        result = run_dbt(["build", *(["--full-refresh"] if full_refresh else [])], db_path)
        step["returncode"] = result.returncode
        if result.returncode != 0:
            step["status"] = "failed"
    return result.returncode


def generate_demo(out: Path | None, traders: int) -> Path:
    """The demo firm's exports (default `data/demo_firm/`); return the folder."""
    from riskman.demo_firm import generate_demo_firm

    folder = out or settings.data_dir() / "demo_firm"
    with log_step(logger, "demo_data", folder=folder, traders=traders) as step:
        step.update(generate_demo_firm(folder, traders=traders))
    return folder
