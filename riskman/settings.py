"""Where things live: every path comes from an env var with a default under the project root."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def project_path(*parts: str) -> Path:
    return PROJECT_ROOT.joinpath(*parts)


def warehouse_path(override: str | Path | None = None) -> Path:
    """The DuckDB file: `--db`, else `RISKMAN_DB`, else `data/warehouse.duckdb`."""
    raw = override or os.environ.get("RISKMAN_DB") or project_path("data", "warehouse.duckdb")
    return Path(raw).expanduser().resolve()


def data_dir() -> Path:
    return Path(os.environ.get("RISKMAN_DATA_DIR") or project_path("data")).expanduser().resolve()


def logs_dir() -> Path:
    return Path(os.environ.get("RISKMAN_LOGS_DIR") or project_path("logs")).expanduser().resolve()


def dbt_project_dir() -> Path:
    return project_path("dbt_project")


def traders_config_path() -> Path:
    return Path(os.environ.get("RISKMAN_TRADERS_CONFIG") or project_path("config", "traders.yaml")).resolve()
