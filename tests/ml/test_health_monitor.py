"""ModelMonitor windows (ml.monitoring.health_monitor): the AUC's standard error is right by
simulation, a window is called degraded for a real drop and not for noise, and before labels the
CBPE estimate judges it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from ml.monitoring.health_monitor import (
    hanley_mcneil_se,
    health_rows,
    is_degraded,
    stability_rows,
    version_windows,
)

HEALTH = {
    "window_days": 20,
    "lookback_days": 400,
    "min_labelled_rows": 100,
    "auc_tolerance": 0.03,
    "confidence": 0.95,
}


def scored_rows(rng, n, skill):
    """Rows whose label follows a logistic model; `skill` scales how much p tells about y."""
    score = rng.standard_normal(n)
    p = 1 / (1 + np.exp(-skill * score))
    y = (rng.random(n) < p).astype(float)
    return y, p


def test_hanley_mcneil_matches_the_simulated_spread_of_the_auc():
    rng = np.random.default_rng(5)
    aucs, se = [], []
    for _ in range(400):
        y, p = scored_rows(rng, 400, 1.0)
        aucs.append(roc_auc_score(y, p))
        se.append(hanley_mcneil_se(aucs[-1], int(y.sum()), int(len(y) - y.sum())))
    assert np.mean(se) == pytest.approx(np.std(aucs), rel=0.15)


def window_frame(rng, days, skill, version="v1", labelled=True):
    dates = pd.bdate_range("2018-01-01", periods=days)
    rows = []
    for day in dates:
        y, p = scored_rows(rng, 30, skill)
        label = y if labelled else np.full(len(y), np.nan)
        for yi, pi in zip(label, p, strict=True):
            rows.append(
                {"model_version": version, "as_of_date": day, "p_loss": pi, "p_large_loss": pi,
                 "is_loss": yi, "is_large_loss": yi}
            )  # fmt: skip
    return pd.DataFrame(rows)


def reference_auc(rng, skill):
    y, p = scored_rows(rng, 200_000, skill)
    return float(roc_auc_score(y, p))


def test_a_real_drop_is_degraded_and_noise_is_not():
    rng = np.random.default_rng(8)
    reference = reference_auc(rng, 1.5)
    same = health_rows(window_frame(rng, 40, 1.5), {"is_loss": reference}, HEALTH, pd.Timestamp("2019-01-01"))
    worse = health_rows(
        window_frame(rng, 40, 0.3), {"is_loss": reference}, HEALTH, pd.Timestamp("2019-01-01")
    )
    same, worse = same[same["target"] == "is_loss"], worse[worse["target"] == "is_loss"]
    assert len(same) == 2 and not same["degraded"].any()
    assert worse["degraded"].all()


def test_before_labels_the_cbpe_estimate_judges_the_window():
    rng = np.random.default_rng(9)
    reference = reference_auc(rng, 1.5)
    calm = window_frame(rng, 20, 0.3, labelled=False)  # probabilities near 0.5: a low expected AUC
    rows = health_rows(calm, {"is_loss": reference}, HEALTH, pd.Timestamp("2019-01-01"))
    row = rows[rows["target"] == "is_loss"].iloc[0]
    assert row["labelled_rows"] == 0 and np.isnan(row["realised_auc"])
    assert row["estimated_auc"] < reference - 0.03 and row["degraded"]
    confident = window_frame(rng, 20, 1.5, labelled=False)
    rows = health_rows(confident, {"is_loss": reference}, HEALTH, pd.Timestamp("2019-01-01"))
    assert not rows[rows["target"] == "is_loss"]["degraded"].any()


def test_without_a_reference_nothing_is_degraded():
    scores = {"labelled_rows": 500, "realised_auc": 0.5, "estimated_auc": 0.5}
    assert not is_degraded(scores, 250, float("nan"), HEALTH)


def test_windows_cover_the_days_newest_full():
    days = pd.bdate_range("2018-01-01", periods=45)
    windows = version_windows(days, 20)
    assert [len(w) for w in windows] == [5, 20, 20] and windows[-1][-1] == days[-1]


def test_importance_stability_ranks_and_top_overlap():
    features = [f"f{i}" for i in range(12)]
    first = pd.Series(np.arange(12, 0, -1), index=features, dtype=float)
    same = first * 2
    reversed_ = pd.Series(np.arange(1, 13), index=features, dtype=float)
    rows = stability_rows(
        {"v1": {"is_loss": first}, "v2": {"is_loss": same}, "v3": {"is_loss": reversed_}}, ["is_loss"]
    )
    assert rows["gain_rank_correlation"].tolist() == pytest.approx([1.0, -1.0])
    assert rows["top_overlap"].tolist() == pytest.approx([1.0, 0.8])


def test_a_window_of_a_few_rows_is_not_judged_before_labels():
    rng = np.random.default_rng(10)
    reference = reference_auc(rng, 1.5)
    one_day = window_frame(rng, 1, 0.3, labelled=False)  # 30 rows, a low expected AUC
    rows = health_rows(one_day, {"is_loss": reference}, HEALTH, pd.Timestamp("2019-01-01"))
    row = rows[rows["target"] == "is_loss"].iloc[0]
    assert row["estimated_auc"] < reference - 0.03 and not row["degraded"]
