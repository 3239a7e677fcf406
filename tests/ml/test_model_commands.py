"""`riskman backtest / train / predict / evaluate` on a copy of the ML firm, through the CLI."""

from __future__ import annotations

import dataclasses

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from ml.cli import app
from tests.firms import copy_warehouse
from tests.ml_firm import small_protocol

pytestmark = pytest.mark.slow
runner = CliRunner()
CONTRACT = [
    "run_id", "run_kind", "model_version", "trader_id", "account_id", "as_of_date", "target_date",
    "p_loss", "p_large_loss", "var_95_usd", "risk_score", "recommended_size", "top_reasons", "created_at",
]  # fmt: skip


def query(db, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).df()


def test_predict_before_any_training_says_what_to_do(commands_run):
    _, outputs, _ = commands_run
    first = outputs["predict"][0]
    assert first.exit_code == 1
    assert "run `riskman train` first" in first.output and "Traceback" not in first.output


def test_every_command_succeeds_in_order(commands_run):
    _, outputs, _ = commands_run
    for name in ("backtest", "train", "evaluate"):
        assert outputs[name][0].exit_code == 0, outputs[name][0].output
    assert outputs["predict"][1].exit_code == 0, outputs["predict"][1].output


def test_predictions_follow_the_contract_for_every_trader_on_the_spine(commands_run):
    db, outputs, _ = commands_run
    predictions = query(db, "select * from ml.predictions")
    assert list(predictions.columns) == CONTRACT
    live = predictions[predictions["run_kind"] == "live"]
    spine = query(
        db,
        "select trader_id from core.fct_trader_days"
        " where trade_date = (select max(trade_date) from core.fct_trader_days)",
    )
    assert sorted(live["trader_id"]) == sorted(spine["trader_id"])
    assert live["risk_score"].between(0, 100).all() and live["recommended_size"].between(0, 1).all()
    assert (live["var_95_usd"] < 0).all()
    assert "riskiest" in outputs["predict"][1].output and "why:" in outputs["predict"][1].output


def test_backtest_rows_are_out_of_sample_and_reporting_marts_show_them(commands_run):
    db, _, _ = commands_run
    rows = query(
        db,
        """
        select p.as_of_date, w.trained_until
        from ml.predictions p
        join (select distinct run_id, fold_id, trained_until from ml.ensemble_weights) w
          on p.run_id = w.run_id
         and p.model_version = p.run_id || '/fold-' || lpad(w.fold_id::varchar, 3, '0')
        where p.run_kind = 'backtest'
        """,
    )
    total = query(db, "select count(*) as n from ml.predictions where run_kind = 'backtest'")["n"].iloc[0]
    assert len(rows) == total > 0
    assert (rows["trained_until"] < rows["as_of_date"]).all()
    assert len(query(db, "select * from reporting.rpt_backtest_predictions")) == total
    assert len(query(db, "select * from reporting.rpt_model_evaluation")) > 0


def test_retraining_without_new_labels_keeps_the_champion(commands_run):
    db, outputs, _ = commands_run
    assert "promoted to champion" in outputs["train"][0].output
    assert "already registered as champion: same recipe, same data" in outputs["train"][1].output
    registry = query(db, "select status from ml.model_registry")
    assert (registry["status"] == "champion").sum() == 1


def test_evaluate_prints_every_baseline_beside_the_models(commands_run):
    _, outputs, _ = commands_run
    text = outputs["evaluate"][0].output
    for model in ("ensemble", "lightgbm", "logistic", "base_rate", "trailing_loss_rate", "losing_streak"):
        assert model in text


def test_last_bit_float_differences_are_the_same_input_and_a_real_change_is_not(ml_firm_inputs):
    # A rebuild of the same data sums in another order: float64 marts differ in their last bits.
    from ml.jobs import input_hash

    frame = ml_firm_inputs.panel.frame
    floats = [column for column in frame.columns if frame[column].dtype.kind == "f"]
    nudged = frame.copy()
    nudged[floats] = np.nextafter(frame[floats].to_numpy(), np.inf)
    changed = frame.copy()
    changed.loc[changed.index[100], "net_pnl_sum_5d"] += 1.0

    def hashed(panel_frame):
        panel = dataclasses.replace(ml_firm_inputs.panel, frame=panel_frame)
        return input_hash(dataclasses.replace(ml_firm_inputs, panel=panel), small_protocol())

    assert hashed(nudged) == hashed(frame) != hashed(changed)


def test_rerunning_on_the_same_inputs_changes_nothing(commands_run):
    db, outputs, _ = commands_run
    assert "backtest unchanged" in outputs["backtest"][1].output
    assert "unchanged: the same inputs and model" in outputs["predict"][2].output
    runs = query(db, "select run_kind, count(*) as n from ml.runs group by run_kind order by run_kind")
    assert runs.to_dict("records") == [{"run_kind": "backtest", "n": 1}, {"run_kind": "live", "n": 1}]


def test_a_missing_warehouse_is_one_line_naming_what_to_run(tmp_path):
    result = runner.invoke(app, ["backtest", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "no warehouse at" in result.output and "riskman build" in result.output
    assert not (tmp_path / "none.duckdb").exists()  # nothing created by asking


def test_a_warehouse_never_built_says_to_build(tiny_raw_warehouse, tmp_path):
    db = copy_warehouse(tiny_raw_warehouse, tmp_path)
    result = runner.invoke(app, ["train", "--db", str(db)])
    assert result.exit_code == 1 and "run `riskman build` first" in result.output


def test_too_little_history_for_the_protocol_is_one_line(tiny_built_warehouse, tmp_path):
    db = copy_warehouse(tiny_built_warehouse, tmp_path)  # four months: no 365-day training window
    result = runner.invoke(app, ["backtest", "--db", str(db)])
    assert result.exit_code == 1 and "too little history" in result.output
    assert query(db, "select count(*) as n from ml.runs")["n"].iloc[0] == 0


def test_a_damaged_model_artifact_is_one_line_and_writes_nothing(commands_run, tmp_path):
    db, _, _ = commands_run
    db = copy_warehouse(db, tmp_path)
    artifact = query(db, "select artifact_path from ml.model_registry where status = 'champion'").iloc[0, 0]
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model.json").write_text('{"version": ')  # truncated, as after a full disk
    with duckdb.connect(str(db)) as con:
        con.execute(
            "update ml.model_registry set artifact_path = ? where artifact_path = ?", [str(broken), artifact]
        )
    before = query(db, "select count(*) as n from ml.predictions")["n"].iloc[0]
    config = tmp_path / "models.yaml"
    config.write_text(yaml.safe_dump(small_protocol()))
    # Another day than the one already scored (that one would be reused, not recomputed).
    args = ["predict", "--as-of", "2017-03-30", "--db", str(db)]
    result = runner.invoke(app, args, env={"RISKMAN_MODELS_CONFIG": str(config)})
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "model artifact" in result.output and str(broken) in result.output
    assert query(db, "select count(*) as n from ml.predictions")["n"].iloc[0] == before
    # Training again recovers: the unreadable champion is replaced.
    retrain = runner.invoke(app, ["train", "--db", str(db)], env={"RISKMAN_MODELS_CONFIG": str(config)})
    assert "the champion cannot be used" in retrain.output, retrain.output
    assert runner.invoke(app, args, env={"RISKMAN_MODELS_CONFIG": str(config)}).exit_code == 0
