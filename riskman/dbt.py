"""Run dbt on the warehouse as a subprocess, so the DuckDB file is released when it ends, and
read what it reported."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import yaml

from riskman.child_process import run_tied_to_parent
from riskman.settings import PROJECT_ROOT, dbt_project_dir
from riskman.warehouse import connect

logger = logging.getLogger(__name__)


def dbt_environment(db_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        RISKMAN_DB=str(db_path),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DO_NOT_TRACK="1",
        DBT_PROFILES_DIR=str(PROJECT_ROOT),
    )
    return env


# `quality.check_results`, written by the data checks after every dbt build (riskman/quality/)
# and read by dbt as a source. The one place its columns are declared.
CHECK_RESULTS_DDL = """
create table if not exists quality.check_results (
    run_id varchar not null,
    checked_at timestamptz not null,
    suite varchar not null,
    table_name varchar not null,
    expectation_type varchar not null,
    column_name varchar,
    severity varchar not null,
    success boolean not null,
    unexpected_count bigint,
    observed_value varchar,
    sample varchar,
    message varchar
)
"""


def create_check_results_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create `quality.check_results` (empty) if absent."""
    con.execute("create schema if not exists quality")
    con.execute(CHECK_RESULTS_DDL)


def create_python_sources(db_path: Path) -> None:
    """The tables Python writes and dbt reads as sources, created empty if absent: on a new
    warehouse dbt runs before the first data checks, and a view over a missing table fails.
    (The ml tables are dbt's own on-run-start hook, macros/create_ml_tables.sql.)"""
    with connect(db_path) as con:
        create_check_results_table(con)


def run_results_path() -> Path:
    """Where dbt writes the outcome of every node of its last run."""
    return dbt_project_dir() / "target" / "run_results.json"


def run_dbt(args: list[str], db_path: Path) -> subprocess.CompletedProcess[str]:
    """`dbt <args>` in the dbt project against `db_path`, its Python-written sources created
    first (create_python_sources); output is streamed to stderr. dbt runs as a child that never
    outlives this process (riskman.child_process)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    create_python_sources(db_path)
    dbt = Path(sys.executable).with_name("dbt")
    command = [str(dbt), *args, "--project-dir", str(dbt_project_dir())]
    logger.info("step=dbt args=%s", " ".join(args))
    # A stale file would describe an earlier run if this one dies before writing its own.
    run_results_path().unlink(missing_ok=True)
    returncode = run_tied_to_parent(
        command, cwd=dbt_project_dir(), env=dbt_environment(db_path), text=True, stdout=sys.stderr
    )
    return subprocess.CompletedProcess(command, returncode)


SCHEMA_CHANGED = "out of sync"  # dbt's words for an incremental model whose columns changed


def _last_results(run_results: Path | None) -> list[dict]:
    try:
        return json.loads((run_results or run_results_path()).read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError):
        return []


def schema_changed(run_results: Path | None = None) -> list[str]:
    """Incremental models the last run refused because their columns changed (an upgrade)."""
    return [
        result["unique_id"].split(".")[2]
        for result in _last_results(run_results)
        if result.get("status") == "error" and SCHEMA_CHANGED in (result.get("message") or "")
    ]


def failed_nodes(run_results: Path | None = None) -> list[str]:
    """One line per model, test or snapshot that failed or errored in dbt's last run, and a count
    of what it skipped; empty when there is no record of the run."""
    results = _last_results(run_results)
    lines, skipped = [], 0
    for result in results:
        status = result.get("status")
        if status == "skipped":
            skipped += 1
        elif status in ("fail", "error", "runtime error"):
            kind, _, name = result["unique_id"].split(".")[:3]  # test.<package>.<name>.<hash>
            rows = result.get("failures")
            detail = f" ({rows} failing rows)" if status == "fail" and rows else ""
            message = [line.strip() for line in (result.get("message") or "").splitlines() if line.strip()]
            why = f": {' '.join(message[:2])[:240]}" if message and status != "fail" else ""
            if any(SCHEMA_CHANGED in line for line in message):
                why += " (columns changed since the last build: run `riskman build --full-refresh`)"
            lines.append(f"dbt {kind} {name}: {status}{detail}{why}")
    if skipped:
        lines.append(f"dbt skipped {skipped} nodes after the failures")
    return lines


@cache
def project_vars() -> dict[str, Any]:
    """The business constants of the dbt project (`vars:` in dbt_project.yml): one place for them,
    which the Python checks read too."""
    document = yaml.safe_load((dbt_project_dir() / "dbt_project.yml").read_text(encoding="utf-8"))
    return dict(document.get("vars") or {})
