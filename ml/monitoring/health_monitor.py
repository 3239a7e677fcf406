"""ModelMonitor: each model version's scores over rolling windows of its predictions, realised once
labels arrive and estimated before (model_health.window_scores), judged against what the latest
backtest measured out of sample; and feature-importance stability across registered retrains.

A window is `window_days` trading days of one version's predictions (by the close they were made
at). It is `degraded` when:
- it has at least `min_labelled_rows` labels and its realised AUC is below the reference minus
  `auc_tolerance` with one-sided confidence `confidence` (Hanley–McNeil standard error: with
  ~20 days × 30 traders a window's AUC moves by ±0.03 on its own, so a bare drop would alert on
  noise);
- or, with too few labels yet but at least `min_labelled_rows` predictions, its CBPE estimate is
  below that floor with the same confidence (the expected positives Σp standing in for the
  positives in the standard error). A window of a day or two is not judged either way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from ml.monitoring.model_health import importance_stability, window_scores

TARGET_PROBABILITY = {"is_loss": "p_loss", "is_large_loss": "p_large_loss"}
TOP_FEATURES = 10


def hanley_mcneil_se(auc: float, positives: int, negatives: int) -> float:
    """Standard error of an ROC AUC from its positives and negatives (Hanley & McNeil 1982)."""
    if positives < 1 or negatives < 1 or not math.isfinite(auc):
        return float("nan")
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    variance = auc * (1 - auc) + (positives - 1) * (q1 - auc**2) + (negatives - 1) * (q2 - auc**2)
    return math.sqrt(max(variance, 0.0) / (positives * negatives))


def is_degraded(scores: Mapping[str, float], positives: int, reference_auc: float, health: Mapping) -> bool:
    if not math.isfinite(reference_auc):
        return False
    floor = reference_auc - float(health["auc_tolerance"])
    if scores["labelled_rows"] >= int(health["min_labelled_rows"]):
        auc = scores["realised_auc"]
        se = hanley_mcneil_se(auc, positives, int(scores["labelled_rows"]) - positives)
        if not math.isfinite(se):
            return False
        return auc + norm.ppf(float(health["confidence"])) * se < floor
    # Before labels: the CBPE estimate, with the same margin for the rows it rests on (which
    # rows a window holds moves the expected AUC as much as the realised one).
    rows, estimated = int(scores["rows"]), scores["estimated_auc"]
    if rows < int(health["min_labelled_rows"]) or not math.isfinite(estimated):
        return False
    expected_positives = int(round(scores["expected_positives"]))
    se = hanley_mcneil_se(estimated, expected_positives, rows - expected_positives)
    return math.isfinite(se) and estimated + norm.ppf(float(health["confidence"])) * se < floor


def version_windows(days: pd.DatetimeIndex, window_days: int) -> list[pd.DatetimeIndex]:
    """Non-overlapping runs of `window_days` of the version's days, the newest ending on its last."""
    out, end = [], len(days)
    while end > 0:
        out.append(days[max(0, end - window_days) : end])
        end -= window_days
    return out[::-1]


def health_rows(
    scored: pd.DataFrame,
    reference_auc: Mapping[str, float],
    health: Mapping[str, Any],
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    """ml.model_health rows (without run_id / as_of_date). `scored`: model_version, as_of_date,
    the probability columns and the labels (NaN until known), one row per trader-day."""
    recent = scored[
        (scored["as_of_date"] <= as_of)
        & (scored["as_of_date"] > as_of - pd.Timedelta(days=int(health["lookback_days"])))
    ]
    rows = []
    for version, group in recent.groupby("model_version", sort=True):
        days = pd.DatetimeIndex(sorted(group["as_of_date"].unique()))
        for window in version_windows(days, int(health["window_days"])):
            part = group[group["as_of_date"].isin(window)]
            for target, column in TARGET_PROBABILITY.items():
                y, p = part[target].to_numpy(dtype=float), part[column].to_numpy(dtype=float)
                scores = window_scores(y, p) | {"expected_positives": float(np.nansum(p))}
                positives = int(np.nansum(y[np.isfinite(p)]))
                reference = float(reference_auc.get(target, float("nan")))
                rows.append(
                    {
                        "model_version": version,
                        "target": target,
                        "window_start": window[0].date(),
                        "window_end": window[-1].date(),
                        "rows": int(scores["rows"]),
                        "labelled_rows": int(scores["labelled_rows"]),
                        **{k: scores[k] for k in SCORE_COLUMNS},
                        "reference_auc": reference,
                        "degraded": is_degraded(scores, positives, reference, health),
                    }
                )
    return pd.DataFrame(rows, columns=HEALTH_COLUMNS)


SCORE_COLUMNS = ("realised_auc", "realised_brier", "calibration_error", "estimated_auc", "estimated_brier")
HEALTH_COLUMNS = [
    "model_version",
    "target",
    "window_start",
    "window_end",
    "rows",
    "labelled_rows",
    *SCORE_COLUMNS,
    "reference_auc",
    "degraded",
]


def top_overlap(previous: pd.Series, current: pd.Series, top: int = TOP_FEATURES) -> float:
    """Share of the previous version's `top` features by gain still among the current's top."""
    first = set(previous.sort_values(ascending=False).index[:top])
    second = set(current.sort_values(ascending=False).index[:top])
    return len(first & second) / len(first) if first else float("nan")


def stability_rows(gains: Mapping[str, Mapping[str, pd.Series]], targets: Sequence[str]) -> pd.DataFrame:
    """ml.importance_stability rows (without run_id): per target, each registered version against
    the one registered before it. `gains`: version -> target -> gain per feature, in order."""
    frames = []
    for target in targets:
        by_version = {
            version: per_target[target] for version, per_target in gains.items() if target in per_target
        }
        table = importance_stability(by_version)
        pairs = list(zip(list(by_version), list(by_version)[1:], strict=False))
        table["top_overlap"] = [top_overlap(by_version[a], by_version[b]) for a, b in pairs]
        frames.append(table.assign(target=target))
    columns = ["model_version", "previous_version", "target", "gain_rank_correlation", "top_overlap"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
