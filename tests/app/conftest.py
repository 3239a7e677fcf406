"""A small published warehouse for the viewer: the ML firm after the model commands, its data
checks run, monitored, with one decision recorded, published read-only as a flow would publish it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ml.monitoring.overrides import Override, record_override
from riskman.atomic_warehouse import publish
from riskman.quality import run_data_checks
from tests.firms import copy_warehouse


def model_environment(commands_db: Path) -> dict[str, str]:
    """The models config and folder the model commands used (tests/ml_firm.py)."""
    return {
        "RISKMAN_MODELS_CONFIG": str(commands_db.parent / "models.yaml"),
        "RISKMAN_MODELS_DIR": str(commands_db.parent / "models"),
    }


@pytest.fixture(scope="session")
def viewer_warehouse(commands_run, tmp_path_factory):
    """(warehouse, its published copy, the model environment)."""
    from ml.cli import app

    source, _, _ = commands_run
    env = model_environment(source)
    db = copy_warehouse(source, tmp_path_factory.mktemp("viewer"))
    run_data_checks(db)
    monitored = CliRunner().invoke(
        app, ["monitor", "--db", str(db), "--out", str(db.parent / "reports")], env=env
    )
    assert monitored.exit_code == 0, monitored.output
    riskiest = _riskiest_live_prediction(db)
    record_override(db, Override(*riskiest, "note", "seen at the morning meeting", "risk-desk"))
    return db, publish(db), env


def _riskiest_live_prediction(db: Path):
    """The one the audit page opens on (the risk table's first row)."""
    import duckdb
    import pandas as pd

    with duckdb.connect(str(db), read_only=True) as con:
        trader, day = con.execute(
            "select trader_id, target_date from reporting.rpt_live_predictions"
            " order by risk_score desc, trader_id limit 1"
        ).fetchone()
    return trader, pd.Timestamp(day)


@pytest.fixture
def viewer_env(viewer_warehouse, monkeypatch):
    """The shared viewer warehouse, for tests that only read."""
    db, published, env = viewer_warehouse
    return _shown(db, published, env, monkeypatch)


@pytest.fixture
def own_viewer_env(viewer_warehouse, tmp_path, monkeypatch):
    """A copy of the viewer warehouse and its own inbox, for a test that records decisions."""
    source, _, env = viewer_warehouse
    db = copy_warehouse(source, tmp_path)
    return _shown(db, publish(db), env, monkeypatch)


def _shown(db: Path, published: Path, env: dict[str, str], monkeypatch) -> tuple[Path, Path]:
    monkeypatch.setenv("RISKMAN_DB", str(db))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return db, published
