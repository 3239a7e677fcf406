"""Evaluation metrics against scikit-learn and hand-worked examples, and the tidy evaluation table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

from ml.evaluation import (
    auc_standard_error,
    brier_skill_score,
    classification_scores,
    direction_accuracy,
    evaluate_predictions,
    expected_calibration_error,
    overall_scores,
    pinball_loss,
    precision_at_top_k,
    quantile_scores,
    skill_ratio,
    tail_coverage,
)

CLASSIFICATION_METRICS = {"auc", "brier", "log_loss", "ece", "precision_at_3", "n", "positives"}


def _labels_and_probabilities(seed: int = 0, n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.05, 0.95, n)
    return (rng.uniform(size=n) < p).astype(int), p


def test_classification_scores_match_sklearn():
    y, p = _labels_and_probabilities()
    scores = classification_scores(y, p)
    assert scores["auc"] == pytest.approx(roc_auc_score(y, p))
    assert scores["brier"] == pytest.approx(brier_score_loss(y, p))
    assert scores["log_loss"] == pytest.approx(log_loss(y, p))
    assert scores["n"] == len(y)
    assert scores["positives"] == y.sum()


def test_auc_is_nan_with_one_class():
    scores = classification_scores([0, 0, 0], [0.1, 0.5, 0.9])
    assert math.isnan(scores["auc"])
    assert scores["brier"] == pytest.approx((0.01 + 0.25 + 0.81) / 3)


def test_log_loss_clips_a_certain_miss():
    assert classification_scores([1, 0], [0.0, 0.0])["log_loss"] == pytest.approx(-math.log(1e-6) / 2)


def test_expected_calibration_error_hand_example():
    # Bins [0.1, 0.2): y 0 and 1 vs p 0.1 and 0.15 -> |0.5 - 0.125|; bin [0.8, 0.9): |1 - 0.8|;
    # bin [0.9, 1.0]: |0 - 0.9|. Weighted by rows: (2 * 0.375 + 0.2 + 0.9) / 4.
    ece = expected_calibration_error([0, 1, 1, 0], [0.1, 0.15, 0.8, 0.9])
    assert ece == pytest.approx(0.4625)


def test_expected_calibration_error_puts_p_one_in_the_top_bin():
    # One bin [0.9, 1]: |0.5 - 0.975|; a separate bin for p = 1 would give (0.05 + 1) / 2.
    assert expected_calibration_error([1, 0], [0.95, 1.0]) == pytest.approx(0.475)


def test_pinball_loss_hand_example():
    # Residuals 2, -8, 7 -> losses 0.05 * 2, 0.95 * 8, 0.05 * 7.
    loss = pinball_loss([0.0, -10.0, 5.0], [-2.0, -2.0, -2.0], alpha=0.05)
    assert loss == pytest.approx((0.1 + 7.6 + 0.35) / 3)


def test_tail_coverage_counts_strict_breaches():
    assert tail_coverage([-3.0, -1.0, 0.0, 2.0], [-2.0, -2.0, 0.0, 0.0]) == pytest.approx(0.25)


def test_quantile_scores_bundle():
    scores = quantile_scores([-3.0, 1.0], [-2.0, -2.0], alpha=0.1)
    assert scores == pytest.approx({"pinball": (0.9 * 1 + 0.1 * 3) / 2, "coverage": 0.5, "n": 2})


def _top_k_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "as_of_date": ["d1"] * 5 + ["d2"] * 2,
            "trader_id": ["a", "b", "c", "d", "e", "x", "y"],
            "score": [0.9, 0.5, 0.5, 0.5, 0.1, 0.3, 0.2],
            "label": [1, 0, 1, 0, 1, 1, 0],
        }
    )


def test_precision_at_top_k_pools_days_and_breaks_ties_by_trader():
    # d1: a, then the 0.5 tie goes to b and c (2 of 3 positive); d2 has only 2 rows (1 of 2).
    frame = _top_k_frame()
    assert precision_at_top_k(frame, "score", "label", k=3) == pytest.approx(3 / 5)
    # d and b before c: ordering by row position alone would pick d and b.
    shuffled = frame.iloc[[3, 6, 1, 0, 5, 2, 4]]
    assert precision_at_top_k(shuffled, "score", "label", k=3) == pytest.approx(3 / 5)


def test_direction_accuracy_boundaries():
    # p = 0.5 calls a loss; a flat day (pnl 0) is not a loss.
    assert direction_accuracy([-5.0, 3.0, -1.0, 0.0], [0.7, 0.2, 0.4, 0.5]) == pytest.approx(0.5)


def test_auc_standard_error_hanley_mcneil():
    # AUC 0.5: Q1 = Q2 = 1/3, so var = (0.25 + 2 * 99 * (1/3 - 1/4)) / 100^2.
    assert auc_standard_error(0.5, 100, 100) == pytest.approx(math.sqrt(16.75 / 10_000))
    # AUC 0.8, 50 positives, 200 negatives: Q1 = 2/3, Q2 = 1.28/1.8.
    expected = math.sqrt((0.16 + 49 * (2 / 3 - 0.64) + 199 * (1.28 / 1.8 - 0.64)) / (50 * 200))
    assert auc_standard_error(0.8, 50, 200) == pytest.approx(expected)


def test_skill_ratio_and_brier_skill_score():
    assert skill_ratio(0.6, 0.7) == pytest.approx(0.5)
    assert brier_skill_score(0.15, 0.2) == pytest.approx(0.25)


def _predictions(seed: int = 1, n: int = 60) -> pd.DataFrame:
    """Two folds, a model with every prediction and a baseline without VaR; some is_large_loss unknown."""
    rng = np.random.default_rng(seed)
    parts = []
    for fold in (0, 1):
        net_pnl = rng.normal(0, 100, n)
        base = pd.DataFrame(
            {
                "fold_id": fold,
                "as_of_date": np.repeat(np.arange(n // 4), 4) + 100 * fold,
                "trader_id": np.tile(["a", "b", "c", "d"], n // 4),
                "net_pnl": net_pnl,
                "is_loss": (net_pnl < 0).astype(float),
                "is_large_loss": np.where(np.arange(n) < 10, np.nan, (net_pnl < -100).astype(float)),
            }
        )
        model = base.assign(
            model="model",
            p_loss=rng.uniform(0.05, 0.95, n),
            p_large_loss=rng.uniform(0.05, 0.95, n),
            var_95_usd=-165.0,
        )
        baseline = base.assign(model="baseline", p_loss=0.5, p_large_loss=0.2, var_95_usd=np.nan)
        parts += [model, baseline]
    return pd.concat(parts, ignore_index=True)


def test_evaluate_predictions_one_row_per_group_target_metric():
    evaluation = evaluate_predictions(_predictions())
    assert list(evaluation.columns) == ["fold_id", "model", "target", "metric", "value"]
    keys = ["fold_id", "model", "target", "metric"]
    assert not evaluation.duplicated(keys).any()
    metrics = evaluation.groupby(["fold_id", "model", "target"])["metric"].agg(set).to_dict()
    for fold in (0, 1):
        assert metrics[(fold, "model", "is_loss")] == CLASSIFICATION_METRICS | {"direction_accuracy"}
        assert metrics[(fold, "model", "is_large_loss")] == CLASSIFICATION_METRICS
        assert metrics[(fold, "model", "var_95")] == {"pinball", "coverage", "n"}
        # The baseline has no VaR predictions: no var_95 rows rather than NaN scores.
        assert (fold, "baseline", "var_95") not in metrics


def test_evaluate_predictions_skips_unknown_labels():
    frame = _predictions()
    evaluation = evaluate_predictions(frame).set_index(["fold_id", "model", "target", "metric"])["value"]
    rows = frame[(frame["fold_id"] == 0) & (frame["model"] == "model")]
    known = rows.dropna(subset=["is_large_loss"])
    assert evaluation[(0, "model", "is_large_loss", "n")] == len(known) == len(rows) - 10
    assert evaluation[(0, "model", "is_loss", "n")] == len(rows)
    expected_auc = roc_auc_score(known["is_large_loss"], known["p_large_loss"])
    assert evaluation[(0, "model", "is_large_loss", "auc")] == pytest.approx(expected_auc)


def test_evaluate_predictions_without_prediction_columns_gives_no_rows_for_them():
    frame = _predictions().drop(columns=["var_95_usd", "p_large_loss"])
    assert set(evaluate_predictions(frame)["target"]) == {"is_loss"}


def test_overall_scores_pool_rows_rather_than_average_folds():
    frame = _predictions()
    overall = overall_scores(frame).set_index(["model", "target", "metric"])["value"]
    rows = frame[frame["model"] == "model"]
    assert overall[("model", "is_loss", "auc")] == pytest.approx(
        roc_auc_score(rows["is_loss"], rows["p_loss"])
    )
    fold_aucs = evaluate_predictions(frame).query(
        "model == 'model' and target == 'is_loss' and metric == 'auc'"
    )
    assert overall[("model", "is_loss", "auc")] != pytest.approx(fold_aucs["value"].mean())
    assert overall[("model", "is_loss", "n")] == len(rows)
