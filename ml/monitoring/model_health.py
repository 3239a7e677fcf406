"""ModelMonitor pieces: realised scores once labels arrive, an estimate of them before
(confidence-based performance estimation, CBPE), and feature-importance stability across retrains.

CBPE (as NannyML defines it for ROC AUC): if the probabilities are calibrated, each row is a
positive with probability p, so the expected true-positive and false-positive counts above a
threshold are Σ p and Σ (1 − p) over the rows scored above it; the expected ROC curve and its
area follow. NannyML is not in the locked dependency set, so this is a small implementation tested
against that definition (tests/ml/test_model_health.py).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.metrics import brier_score_loss, roc_auc_score


def expected_roc_auc(p: np.ndarray) -> float:
    """The ROC AUC the rows would score if each were positive with its own probability p."""
    p = np.asarray(p, dtype=float)
    p = p[np.isfinite(p)]
    if len(p) < 2 or p.sum() == 0 or (1 - p).sum() == 0:
        return float("nan")
    # Tied rows share p, so within a tie the curve is a straight segment either way: no grouping.
    positives = p[np.argsort(-p, kind="mergesort")]
    negatives = 1 - positives
    tpr = np.r_[0.0, np.cumsum(positives) / positives.sum()]
    fpr = np.r_[0.0, np.cumsum(negatives) / negatives.sum()]
    return float(np.trapezoid(tpr, fpr))


def expected_brier(p: np.ndarray) -> float:
    """The Brier score of calibrated probabilities: the mean of p(1 − p)."""
    p = np.asarray(p, dtype=float)
    p = p[np.isfinite(p)]
    return float(np.mean(p * (1 - p))) if len(p) else float("nan")


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Σ_bins (rows in bin / rows) · |mean p − mean y|, on equal-width bins of p."""
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    index = np.minimum((p * bins).astype(int), bins - 1)
    error = 0.0
    for b in np.unique(index):
        rows = index == b
        error += rows.mean() * abs(p[rows].mean() - y[rows].mean())
    return float(error)


def window_scores(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """Realised (where labels are known) and estimated scores of one window's predictions."""
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    labelled = np.isfinite(y) & np.isfinite(p)
    both = labelled.any() and len(np.unique(y[labelled])) == 2
    return {
        "rows": float(np.isfinite(p).sum()),
        "labelled_rows": float(labelled.sum()),
        "realised_auc": float(roc_auc_score(y[labelled], p[labelled])) if both else float("nan"),
        "realised_brier": float(brier_score_loss(y[labelled], p[labelled]))
        if labelled.any()
        else float("nan"),
        "calibration_error": expected_calibration_error(y[labelled], p[labelled])
        if labelled.any()
        else float("nan"),
        "estimated_auc": expected_roc_auc(p),
        "estimated_brier": expected_brier(p),
    }


def importance_stability(gains: Mapping[str, pd.Series]) -> pd.DataFrame:
    """Spearman rank correlation of feature gain between each model version and the one before it
    (versions in the mapping's order); features missing from one side count as zero gain."""
    versions = list(gains)
    rows = []
    for previous, current in zip(versions, versions[1:], strict=False):
        both = pd.concat([gains[previous], gains[current]], axis=1).fillna(0.0)
        rows.append(
            {
                "model_version": current,
                "previous_version": previous,
                "gain_rank_correlation": float(spearmanr(both.iloc[:, 0], both.iloc[:, 1]).statistic),
            }
        )
    return pd.DataFrame(rows, columns=["model_version", "previous_version", "gain_rank_correlation"])
