"""Out-of-sample discipline of the walk-forward backtest, on the ML firm (tests/ml_firm.py)."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from ml.backtest import run_backtest, splitter_from_config
from ml.dataset import Panel
from ml.evaluation import auc_standard_error
from ml.jobs import load_inputs
from riskman.ingest import ingest_folder
from tests.firms import build, cut_exports
from tests.ml_firm import small_protocol

pytestmark = pytest.mark.slow
CUT_DAY = date(2017, 1, 31)


def backtest(inputs, panel: Panel | None = None, **kwargs):
    config = small_protocol()
    return run_backtest(
        panel or inputs.panel,
        inputs.trader_days,
        inputs.returns,
        config,
        splitter_from_config(config),
        **kwargs,
    )


def with_random_labels(panel: Panel, seed: int) -> Panel:
    """The same panel, each known label replaced by a coin flip at that label's base rate."""
    frame = panel.frame.copy()
    rng = np.random.default_rng(seed)
    for target in ("is_loss", "is_large_loss"):
        known = frame[target].notna()
        flips = rng.uniform(size=known.sum()) < frame.loc[known, target].mean()
        frame.loc[known, target] = flips.astype(float)
    return dataclasses.replace(panel, frame=frame)


def with_leaked_label(panel: Panel) -> Panel:
    """The panel with an input that is tomorrow's label plus noise: a leak the check must catch."""
    frame = panel.frame.copy()
    noise = np.random.default_rng(0).normal(0, 0.3, len(frame))
    frame["leak"] = frame["is_large_loss"].fillna(0) + frame["is_loss"].fillna(0) + noise
    return dataclasses.replace(panel, frame=frame, feature_names=(*panel.feature_names, "leak"))


def pooled_auc(oos: pd.DataFrame, model: str, target: str) -> tuple[float, float]:
    column = {"is_loss": "p_loss", "is_large_loss": "p_large_loss"}[target]
    rows = oos[(oos["model"] == model) & oos[target].notna()]
    y = rows[target].to_numpy()
    auc = roc_auc_score(y, rows[column])
    return auc, auc_standard_error(auc, int(y.sum()), int(len(y) - y.sum()))


@pytest.mark.parametrize("target", ["is_loss", "is_large_loss"])
def test_a_label_no_feature_can_predict_stays_at_chance(ml_firm_inputs, target):
    result = backtest(ml_firm_inputs, with_random_labels(ml_firm_inputs.panel, seed=5))
    for model in ("ensemble", "lightgbm"):
        auc, se = pooled_auc(result.oos, model, target)
        assert abs(auc - 0.5) < 3 * se, f"{model} {target}: AUC {auc:.3f} on a random label (SE {se:.3f})"


def test_the_chance_check_catches_a_leak(ml_firm_inputs):
    # The check above has power: an input that knows tomorrow's label lifts AUC far above 3 SE.
    result = backtest(ml_firm_inputs, with_leaked_label(ml_firm_inputs.panel))
    auc, se = pooled_auc(result.oos, "lightgbm", "is_large_loss")
    assert auc - 0.5 > 3 * se


def test_every_test_row_is_scored_once_by_a_model_trained_before_it(ml_firm_backtest):
    predictions = ml_firm_backtest.predictions
    assert not predictions.duplicated(["trader_id", "target_date"]).any()
    weights = ml_firm_backtest.weights.drop_duplicates("fold_id").set_index("fold_id")
    trained_until = predictions["fold_id"].map(weights["trained_until"])
    assert (trained_until < predictions["as_of_date"]).all()
    assert predictions["target_date"].gt(predictions["as_of_date"]).all()
    assert predictions[["p_loss", "p_large_loss"]].stack().between(0, 1).all()
    assert predictions["top_reasons"].str.len().gt(0).all()


def test_same_seed_gives_identical_predictions(ml_firm_inputs, ml_firm_backtest):
    again = backtest(ml_firm_inputs)
    pd.testing.assert_frame_equal(again.predictions, ml_firm_backtest.predictions)
    pd.testing.assert_frame_equal(again.weights, ml_firm_backtest.weights)


def test_predictions_do_not_change_when_later_exports_are_removed(
    ml_firm_exports, ml_firm_backtest, tmp_path
):
    cut = cut_exports(ml_firm_exports, tmp_path / "cut", CUT_DAY)
    db = tmp_path / "cut.duckdb"
    assert ingest_folder(cut, db).usable
    assert build(db)
    result = backtest(load_inputs(db))
    known = result.predictions[result.predictions["as_of_date"] <= pd.Timestamp(CUT_DAY)]
    full = ml_firm_backtest.predictions
    full = full[full["as_of_date"] <= pd.Timestamp(CUT_DAY)]
    assert len(known) > 100
    pd.testing.assert_frame_equal(known.reset_index(drop=True), full.reset_index(drop=True))
