"""Shared fixtures: every test gets its own warehouse file and logs folder; no network."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


@pytest.fixture(autouse=True)
def _isolated_paths(tmp_path, monkeypatch):
    monkeypatch.setenv("RISKMAN_DB", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("RISKMAN_LOGS_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("RISKMAN_DATA_DIR", str(tmp_path / "data"))
    # Data-check results and Data Docs go to a scratch GX folder, never the committed one.
    monkeypatch.setenv("RISKMAN_GX_DIR", str(tmp_path / "gx"))
    # No trader config unless a test writes one (the repo's config/traders.yaml is a template).
    monkeypatch.setenv("RISKMAN_TRADERS_CONFIG", str(tmp_path / "no-traders.yaml"))
