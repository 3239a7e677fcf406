"""`riskman tune`: Optuna sees only data up to its cut-off, and writes what it found and how hard
it looked (the number of trials) to the config and to ml.tuning_runs."""

from __future__ import annotations

import dataclasses

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from ml.cli import app
from ml.tuning import tune_target
from tests.firms import copy_warehouse
from tests.ml_firm import small_protocol

pytestmark = pytest.mark.slow
UNTIL = pd.Timestamp("2016-10-31")


@pytest.mark.parametrize("cv", ["walk-forward", "cpcv"])
def test_tuning_never_sees_labels_after_its_cut_off(ml_firm_inputs, cv):
    panel = ml_firm_inputs.panel
    frame = panel.frame.copy()
    later = frame["target_date"] > UNTIL
    rng = np.random.default_rng(1)
    frame.loc[later, "is_loss"] = rng.integers(0, 2, later.sum()).astype(float)  # scramble the future
    scrambled = dataclasses.replace(panel, frame=frame)
    config = small_protocol()
    first = tune_target(panel, config, "is_loss", trials=4, until=UNTIL, cv=cv)
    second = tune_target(scrambled, config, "is_loss", trials=4, until=UNTIL, cv=cv)
    assert first.best_params == second.best_params
    assert first.best_log_loss == pytest.approx(second.best_log_loss)


def test_tune_writes_the_best_parameters_and_the_number_of_trials(ml_firm_warehouse, tmp_path):
    db = copy_warehouse(ml_firm_warehouse, tmp_path)
    config = tmp_path / "models.yaml"
    config.write_text("# hand-written settings stay\n" + yaml.safe_dump(small_protocol()))
    result = CliRunner().invoke(
        app, ["tune", "--trials", "3", "--db", str(db)], env={"RISKMAN_MODELS_CONFIG": str(config)}
    )
    assert result.exit_code == 0, result.output
    written = yaml.safe_load(config.read_text())
    assert config.read_text().startswith("# hand-written settings stay")
    for target in ("is_loss", "is_large_loss"):
        assert written["tuned"][target]["trials"] == 3
        assert {"learning_rate", "num_leaves", "num_boost_round"} <= set(written["tuned"][target]["params"])
    with duckdb.connect(str(db), read_only=True) as con:
        trials = con.execute("select target, trials from ml.tuning_runs order by target").fetchall()
    assert trials == [("is_large_loss", 3), ("is_loss", 3)]
