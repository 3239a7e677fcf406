"""Run dbt on the warehouse as a subprocess, so the DuckDB file is released when it ends."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from riskman.settings import PROJECT_ROOT, dbt_project_dir

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


def run_dbt(args: list[str], db_path: Path) -> subprocess.CompletedProcess[str]:
    """`dbt <args>` in the dbt project against `db_path`; output is streamed to stderr."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    dbt = Path(sys.executable).with_name("dbt")
    command = [str(dbt), *args, "--project-dir", str(dbt_project_dir())]
    logger.info("step=dbt args=%s", " ".join(args))
    return subprocess.run(
        command,
        cwd=dbt_project_dir(),
        env=dbt_environment(db_path),
        text=True,
        stdout=sys.stderr,
        check=False,
    )


@cache
def project_vars() -> dict[str, Any]:
    """The business constants of the dbt project (`vars:` in dbt_project.yml): one place for them,
    which the Python checks read too."""
    document = yaml.safe_load((dbt_project_dir() / "dbt_project.yml").read_text(encoding="utf-8"))
    return dict(document.get("vars") or {})
