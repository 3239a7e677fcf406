"""The ML firm: long enough to walk forward on, and a protocol sized for it.

The shared tiny firm (four months) is too short for a year of initial training; the models'
tests share this one instead: six traders over fifteen months, generated, ingested and built once
per session, and the model commands run once on a copy (`commands_run`). The fixtures are
registered in tests/conftest.py. Copy a warehouse before writing to it.
"""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from ml.config import load_models_config
from riskman.demo_firm import generate_demo_firm
from riskman.ingest import ingest_folder
from tests.firms import build, copy_warehouse

runner = CliRunner()

ML_FIRM = {"traders": 6, "start": date(2016, 1, 4), "end": date(2017, 3, 31), "seed": 11}


def small_protocol(**overrides: Any) -> dict[str, Any]:
    """config/models.yaml with a walk-forward protocol that fits the ML firm (about 9 folds)."""
    config = copy.deepcopy(load_models_config())
    config["walk_forward"].update(initial_train_days=180, validation_days=30, step_days=28)
    config["regime"]["min_history_days"] = 100
    config["ensemble"]["min_trailing_rows"] = 50
    for key, value in overrides.items():
        config[key] = value
    return config


@pytest.fixture(scope="session")
def ml_firm_exports(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ml_firm") / "exports"
    generate_demo_firm(folder, **ML_FIRM)
    return folder


@pytest.fixture(scope="session")
def ml_firm_warehouse(ml_firm_exports, tmp_path_factory) -> Path:
    """The ML firm ingested and built; copy it before changing it."""
    db = tmp_path_factory.mktemp("ml_firm_built") / "warehouse.duckdb"
    assert ingest_folder(ml_firm_exports, db).usable
    assert build(db), "dbt build failed on the ML firm"
    return db


@pytest.fixture(scope="session")
def commands_run(ml_firm_warehouse, tmp_path_factory):
    """The commands once, in order, on one copy of the ML firm's warehouse: predict before any
    model, backtest (models, then policies), train, predict, evaluate, train and backtest again
    (nothing new), predict again, report. Returns (db, outputs by command, reports folder)."""
    folder = tmp_path_factory.mktemp("commands")
    reports = folder / "reports"
    db = copy_warehouse(ml_firm_warehouse, folder)
    config = folder / "models.yaml"
    config.write_text(yaml.safe_dump(small_protocol()))
    env = {"RISKMAN_MODELS_CONFIG": str(config), "RISKMAN_MODELS_DIR": str(folder / "models")}
    outputs = {}
    steps = (
        ["predict"],
        ["backtest"],
        ["train"],
        ["predict"],
        ["evaluate"],
        ["train"],
        ["backtest"],
        ["predict"],
        ["report", "--out", str(reports)],
    )
    from ml.cli import app

    for command in steps:
        result = runner.invoke(app, [*command, "--db", str(db)], env=env)
        outputs.setdefault(command[0], []).append(result)
    return db, outputs, reports
