"""Scores for daily trader risk predictions: ranking, calibration, top-k alerts and VaR quantiles.

Conventions follow scikit-learn: `*_score` and accuracies are higher-is-better, `*_loss` and `*_error`
lower-is-better. `evaluate_predictions` turns a predictions frame into a tidy long table
(group columns, target, metric, value) so models and folds line up for comparison.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

# log loss is unbounded: clip so one confident miss cannot swamp a comparison.
PROBABILITY_CLIP = 1e-6
TOP_K = 3
DATE_COL = "as_of_date"
# Ties in precision@k go to the lower trader_id, so the answer does not depend on row order.
TIE_COL = "trader_id"


@dataclass(frozen=True)
class TargetSpec:
    """One predicted target: where its label and prediction live and how it is scored."""

    name: str
    label_col: str
    prediction_col: str
    kind: str  # "classification" (prediction is P(label=1)) or "quantile" (prediction is a P&L quantile)
    alpha: float = 0.05
    # Realised P&L column for direction accuracy; None when the target has no direction.
    pnl_col: str | None = None


TARGETS: tuple[TargetSpec, ...] = (
    TargetSpec("is_loss", "is_loss", "p_loss", "classification", pnl_col="net_pnl"),
    TargetSpec("is_large_loss", "is_large_loss", "p_large_loss", "classification"),
    TargetSpec("var_95", "net_pnl", "var_95_usd", "quantile", alpha=0.05),
)


def _as_float(values: ArrayLike) -> np.ndarray:
    return np.asarray(values, dtype=float).ravel()


def expected_calibration_error(y_true: ArrayLike, p: ArrayLike, n_bins: int = 10) -> float:
    """Row-weighted mean of |mean(y) - mean(p)| over equal-width probability bins on [0, 1]."""
    y, prob = _as_float(y_true), _as_float(p)
    if y.size == 0:
        return math.nan
    # p == 1 belongs in the top bin, not a bin of its own.
    bins = np.clip(np.floor(prob * n_bins).astype(int), 0, n_bins - 1)
    gap = 0.0
    for b in np.unique(bins):
        in_bin = bins == b
        gap += in_bin.sum() * abs(y[in_bin].mean() - prob[in_bin].mean())
    return float(gap / y.size)


def auc_standard_error(auc: float, n_pos: int, n_neg: int) -> float:
    """Standard error of an AUC estimate (Hanley & McNeil 1982)."""
    if n_pos < 1 or n_neg < 1 or math.isnan(auc):
        return math.nan
    q1 = auc / (2.0 - auc)
    q2 = 2.0 * auc**2 / (1.0 + auc)
    variance = (auc * (1.0 - auc) + (n_pos - 1) * (q1 - auc**2) + (n_neg - 1) * (q2 - auc**2)) / (
        n_pos * n_neg
    )
    return math.sqrt(max(variance, 0.0))


def _top_k_per_day(frame: pd.DataFrame, score_col: str, k: int, date_col: str) -> pd.DataFrame:
    """Each day's k highest-scoring rows (missing scores last, ties by trader_id then row order)."""
    sort_cols = [date_col, score_col] + ([TIE_COL] if TIE_COL in frame.columns else [])
    ascending = [True, False] + [True] * (len(sort_cols) - 2)
    ordered = frame.sort_values(sort_cols, ascending=ascending, kind="mergesort", na_position="last")
    return ordered.groupby(date_col, sort=False).head(k)


def precision_at_top_k(
    frame: pd.DataFrame, score_col: str, label_col: str, k: int = TOP_K, date_col: str = DATE_COL
) -> float:
    """Share of positives among each day's k highest scores, pooled over days (days with < k rows
    contribute all their rows)."""
    if frame.empty:
        return math.nan
    top = _top_k_per_day(frame, score_col, k, date_col)
    return float(top[label_col].astype(float).mean())


def direction_accuracy(net_pnl: ArrayLike, p_loss: ArrayLike) -> float:
    """Share of rows where the call (p_loss >= 0.5) matches the outcome (net_pnl < 0)."""
    pnl, prob = _as_float(net_pnl), _as_float(p_loss)
    if pnl.size == 0:
        return math.nan
    return float(np.mean((prob >= 0.5) == (pnl < 0)))


def pinball_loss(y: ArrayLike, q: ArrayLike, alpha: float = 0.05) -> float:
    """Mean quantile (pinball) loss of the alpha-quantile predictions q for outcomes y."""
    diff = _as_float(y) - _as_float(q)
    if diff.size == 0:
        return math.nan
    return float(np.mean(np.maximum(alpha * diff, (alpha - 1.0) * diff)))


def tail_coverage(y: ArrayLike, q: ArrayLike) -> float:
    """Share of rows whose outcome falls below the predicted quantile (ideal: alpha)."""
    outcome, quantile = _as_float(y), _as_float(q)
    if outcome.size == 0:
        return math.nan
    return float(np.mean(outcome < quantile))


def classification_scores(y_true: ArrayLike, p: ArrayLike) -> dict[str, float]:
    """auc (nan with one class), brier, log_loss (p clipped), ece, n and positives."""
    y, prob = _as_float(y_true), _as_float(p)
    both_classes = np.unique(y).size == 2
    clipped = np.clip(prob, PROBABILITY_CLIP, 1.0 - PROBABILITY_CLIP)
    return {
        "auc": float(roc_auc_score(y, prob)) if both_classes else math.nan,
        "brier": float(brier_score_loss(y, prob)) if y.size else math.nan,
        "log_loss": float(log_loss(y, clipped, labels=[0, 1])) if y.size else math.nan,
        "ece": expected_calibration_error(y, prob),
        "n": float(y.size),
        "positives": float(y.sum()),
    }


def quantile_scores(y: ArrayLike, q: ArrayLike, alpha: float) -> dict[str, float]:
    """pinball loss, tail coverage and n for alpha-quantile predictions."""
    return {
        "pinball": pinball_loss(y, q, alpha),
        "coverage": tail_coverage(y, q),
        "n": float(_as_float(y).size),
    }


def _scored_rows(group: pd.DataFrame, target: TargetSpec) -> pd.DataFrame | None:
    """The group's rows with both a label and a prediction for `target`; None when there are none."""
    if target.label_col not in group.columns or target.prediction_col not in group.columns:
        return None
    rows = group.dropna(subset=[target.label_col, target.prediction_col])
    return None if rows.empty else rows


def _target_metrics(rows: pd.DataFrame, target: TargetSpec) -> dict[str, float]:
    """Every metric for one target on rows that all have a label and a prediction."""
    y, pred = rows[target.label_col], rows[target.prediction_col]
    if target.kind == "quantile":
        return quantile_scores(y, pred, target.alpha)
    metrics = classification_scores(y, pred)
    metrics[f"precision_at_{TOP_K}"] = precision_at_top_k(rows, target.prediction_col, target.label_col)
    if target.pnl_col is not None and target.pnl_col in rows.columns:
        with_pnl = rows.dropna(subset=[target.pnl_col])
        metrics["direction_accuracy"] = direction_accuracy(
            with_pnl[target.pnl_col], with_pnl[target.prediction_col]
        )
    return metrics


def evaluate_predictions(
    frame: pd.DataFrame,
    *,
    group_cols: Sequence[str] = ("fold_id", "model"),
    targets: Sequence[TargetSpec] = TARGETS,
) -> pd.DataFrame:
    """Tidy scores: one row per (group, target, metric) with columns [*group_cols, target, metric, value].

    Per target, rows missing the label (e.g. is_large_loss unknown) or the prediction are skipped, and a
    target whose columns are absent or empty for a group (a baseline without VaR) gives no rows; the `n`
    metric says how many rows each target was scored on.
    """
    group_cols = list(group_cols)
    records = []
    for key, group in frame.groupby(group_cols, sort=True, dropna=False):
        for target in targets:
            rows = _scored_rows(group, target)
            if rows is None:
                continue
            for metric, value in _target_metrics(rows, target).items():
                records.append((*key, target.name, metric, value))
    return pd.DataFrame.from_records(records, columns=[*group_cols, "target", "metric", "value"])


def overall_scores(frame: pd.DataFrame, *, targets: Sequence[TargetSpec] = TARGETS) -> pd.DataFrame:
    """Scores per model over all folds' rows pooled (pooled AUC, not a mean of fold AUCs)."""
    return evaluate_predictions(frame, group_cols=("model",), targets=targets)


def skill_ratio(auc: float, auc_truth: float) -> float:
    """Share of the achievable AUC lift over chance: (auc - 0.5) / (auc_truth - 0.5)."""
    if auc_truth == 0.5:
        return math.nan
    return (auc - 0.5) / (auc_truth - 0.5)


def brier_skill_score(brier: float, brier_reference: float) -> float:
    """1 - brier / brier_reference: positive when better than the reference forecast."""
    if brier_reference == 0:
        return math.nan
    return 1.0 - brier / brier_reference
