"""Every model passes sqlfluff with the repo's .sqlfluff (duckdb dialect, dbt templater)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from riskman.dbt import dbt_environment
from riskman.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow


def test_every_model_passes_sqlfluff(tmp_path: Path):
    sqlfluff = Path(sys.executable).with_name("sqlfluff")
    # The templater compiles the project: the profile needs RISKMAN_DB, but nothing is queried.
    env = dbt_environment(tmp_path / "lint.duckdb")
    # Its parse files go here, not into the dbt_project/target/ a running build may be using.
    env["DBT_TARGET_PATH"] = str(tmp_path / "target")
    result = subprocess.run(
        # Two processes: the machine has two cores, and linting is the slowest single test.
        [
            str(sqlfluff),
            "lint",
            "dbt_project/models",
            "--disable-progress-bar",
            "--nocolor",
            "--processes",
            "2",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(result.stdout + result.stderr, pytrace=False)
