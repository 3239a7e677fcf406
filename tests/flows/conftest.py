"""Prefect's test harness, once per session (it costs seconds), and the ML firm's warehouse after
the model commands, copied per test, with the models config those commands used."""

from __future__ import annotations

import pytest

from tests.firms import copy_warehouse
from tests.ml.conftest import commands_run, ml_firm_exports, ml_firm_warehouse  # noqa: F401 - shared fixtures


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():
        yield


@pytest.fixture
def flow_warehouse(commands_run, prefect_harness, tmp_path, monkeypatch):  # noqa: F811
    db, _, _ = commands_run
    monkeypatch.setenv("RISKMAN_MODELS_CONFIG", str(db.parent / "models.yaml"))
    monkeypatch.setenv("RISKMAN_MODELS_DIR", str(db.parent / "models"))
    return copy_warehouse(db, tmp_path)
