"""Model health: CBPE's expected AUC and Brier agree with what calibrated probabilities realise on
average (the definition, by simulation), realised scores need labels, and importance stability is
a rank correlation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from ml.monitoring.model_health import (
    expected_brier,
    expected_calibration_error,
    expected_roc_auc,
    importance_stability,
    window_scores,
)


@pytest.fixture
def probabilities() -> np.ndarray:
    return np.random.default_rng(1).beta(2, 5, 600)


def test_expected_auc_is_what_calibrated_probabilities_score_on_average(probabilities):
    rng = np.random.default_rng(2)
    realised = [
        roc_auc_score(rng.uniform(size=len(probabilities)) < probabilities, probabilities) for _ in range(400)
    ]
    assert expected_roc_auc(probabilities) == pytest.approx(np.mean(realised), abs=0.004)


def test_expected_auc_of_uninformative_or_perfect_scores():
    assert expected_roc_auc(np.full(100, 0.3)) == pytest.approx(0.5)
    assert expected_roc_auc(np.r_[np.zeros(50), np.ones(50)]) == pytest.approx(1.0)


def test_expected_brier_is_what_calibrated_probabilities_score_on_average(probabilities):
    rng = np.random.default_rng(3)
    realised = [
        np.mean(((rng.uniform(size=len(probabilities)) < probabilities) - probabilities) ** 2)
        for _ in range(400)
    ]
    assert expected_brier(probabilities) == pytest.approx(np.mean(realised), abs=0.001)


def test_calibration_error_is_small_for_calibrated_and_large_for_shifted_probabilities():
    rng = np.random.default_rng(4)
    p = rng.uniform(size=20_000)
    y = rng.uniform(size=p.size) < p
    assert expected_calibration_error(y, p) < 0.02
    assert expected_calibration_error(y, np.clip(p + 0.2, 0, 1)) > 0.15


def test_before_labels_arrive_only_the_estimates_exist(probabilities):
    scores = window_scores(np.full(len(probabilities), np.nan), probabilities)
    assert np.isnan(scores["realised_auc"]) and scores["labelled_rows"] == 0
    assert 0.5 < scores["estimated_auc"] < 1


def test_importance_stability_is_the_rank_correlation_of_gains():
    gains = {
        "v1": pd.Series({"a": 10.0, "b": 5.0, "c": 1.0}),
        "v2": pd.Series({"a": 9.0, "b": 6.0, "c": 2.0}),
        "v3": pd.Series({"a": 1.0, "b": 5.0, "c": 10.0}),
    }
    table = importance_stability(gains)
    assert table["gain_rank_correlation"].tolist() == pytest.approx([1.0, -1.0])
    assert table["previous_version"].tolist() == ["v1", "v2"]
