"""Run the dbt CLI on any copy of the project (riskman.dbt.run_dbt only knows the real one)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from riskman.dbt import dbt_environment


def run_dbt_on(project_dir: Path, args: list[str], db_path: Path, work_dir: Path) -> None:
    """`dbt <args>` on `project_dir` against `db_path`, target and logs in `work_dir`; raises on failure."""
    dbt = Path(sys.executable).with_name("dbt")
    command = [
        str(dbt),
        *args,
        "--project-dir",
        str(project_dir),
        # Outside the project, so a test never touches the target/ or logs/ others are using.
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]
    result = subprocess.run(
        command, cwd=project_dir, env=dbt_environment(db_path), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise AssertionError(
            f"dbt {' '.join(args)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
        )


def parse_manifest(project_dir: Path, work_dir: Path) -> dict[str, Any]:
    """The manifest `dbt parse` writes for `project_dir` (nothing is queried; the db is a scratch path)."""
    run_dbt_on(project_dir, ["parse", "--no-partial-parse"], work_dir / "parse.duckdb", work_dir)
    return json.loads((work_dir / "target" / "manifest.json").read_text())
