"""The ML firm's warehouse after the model commands (tests/ml_firm.py), copied per test, with the
models config those commands used, under Prefect's test harness (both fixtures in tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.firms import copy_warehouse


@pytest.fixture
def flow_warehouse(commands_run, prefect_harness, tmp_path, monkeypatch):
    db, _, _ = commands_run
    monkeypatch.setenv("RISKMAN_MODELS_CONFIG", str(db.parent / "models.yaml"))
    monkeypatch.setenv("RISKMAN_MODELS_DIR", str(db.parent / "models"))
    return copy_warehouse(db, tmp_path)
