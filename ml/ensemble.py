"""The ensemble for one binary target: diverse calibrated members, weighted by recent skill.

Members (config/models.yaml): `lightgbm`, `lightgbm_regularised` (shallower trees, larger leaves,
half the inputs per tree, another seed) and `logistic` (L2 on standardised inputs), all on every
input. Each is fitted on the
training window and calibrated on the validation window. Weights are
`w_m ∝ exp(-eta · (L_m − min L))`, where L_m is the member's exponentially weighted log loss on
earlier out-of-sample rows whose labels were known before the test window starts; while there
are too few such rows, L_m is the member's log loss on the validation window.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from ml.calibration import ProbabilityCalibrator, clipped_log_loss

Factory = Callable[[], Any]


class EnsembleClassifier:
    """Calibrated members and their weights for one target."""

    def __init__(self, members: Mapping[str, Factory], eta: float = 50.0) -> None:
        self.members = members
        self.eta = eta

    def fit(
        self,
        X_train: pd.DataFrame,  # noqa: N803
        y_train: np.ndarray,
        X_val: pd.DataFrame,  # noqa: N803
        y_val: np.ndarray,
        val_order: np.ndarray | None = None,
    ) -> EnsembleClassifier:
        self.members_, self.calibrators_, self.validation_log_loss_ = {}, {}, {}
        self.validation_auc_ = {}
        for name, make in self.members.items():
            member = make().fit(X_train, y_train)
            raw = member.predict_raw(X_val)
            calibrator = ProbabilityCalibrator().fit(raw, y_val, val_order)
            calibrated = calibrator.transform(raw)
            self.members_[name], self.calibrators_[name] = member, calibrator
            self.validation_log_loss_[name] = clipped_log_loss(np.asarray(y_val, float), calibrated)
            self.validation_auc_[name] = _auc(np.asarray(y_val, float), calibrated)
        self.set_weights(self.validation_log_loss_)
        return self

    def set_weights(self, losses: Mapping[str, float]) -> EnsembleClassifier:
        """Weights from each member's log loss (lower loss, larger weight)."""
        self.weight_losses_ = dict(losses)
        self.weights_ = exponential_weights(losses, self.eta)
        return self

    def predict_members(self, X: pd.DataFrame) -> pd.DataFrame:  # noqa: N803
        """Calibrated P(positive) of each member, one column per member."""
        return pd.DataFrame(
            {
                name: self.calibrators_[name].transform(member.predict_raw(X))
                for name, member in self.members_.items()
            },
            index=X.index,
        )

    def combine(self, member_probabilities: pd.DataFrame) -> np.ndarray:
        weights = np.array([self.weights_[name] for name in member_probabilities.columns])
        return member_probabilities.to_numpy() @ weights

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:  # noqa: N803
        return self.combine(self.predict_members(X))


def exponential_weights(losses: Mapping[str, float], eta: float) -> dict[str, float]:
    names = list(losses)
    values = np.array([losses[name] for name in names], dtype=float)
    values = np.where(np.isfinite(values), values, np.nanmax(values[np.isfinite(values)], initial=1.0) + 1)
    raw = np.exp(-eta * (values - values.min()))
    return dict(zip(names, (raw / raw.sum()).tolist(), strict=True))


def trailing_log_loss(
    history: pd.DataFrame, members: Sequence[str], before: pd.Timestamp, halflife_days: float
) -> tuple[dict[str, float], int]:
    """Each member's exponentially weighted log loss on out-of-sample rows labelled before `before`.

    `history` has target_date, y and one probability column per member. Returns the losses and
    the number of rows they rest on.
    """
    known = history[history["target_date"] < before]
    if known.empty:
        return {}, 0
    dates = np.sort(known["target_date"].unique())
    age = len(dates) - 1 - np.searchsorted(dates, known["target_date"].to_numpy())
    weight = 0.5 ** (age / halflife_days)
    y = known["y"].to_numpy(dtype=float)
    losses = {}
    for name in members:
        p = np.clip(known[name].to_numpy(dtype=float), 1e-6, 1 - 1e-6)
        row_loss = -(y * np.log(p) + (1 - y) * np.log(1 - p))
        losses[name] = float(np.sum(weight * row_loss) / np.sum(weight))
    return losses, len(known)


def diversity(member_probabilities: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Per member: mean correlation and mean absolute disagreement with the other members."""
    names = list(member_probabilities.columns)
    correlation = {name: [] for name in names}
    disagreement = {name: [] for name in names}
    for a, b in combinations(names, 2):
        pa, pb = member_probabilities[a].to_numpy(), member_probabilities[b].to_numpy()
        corr = float(np.corrcoef(pa, pb)[0, 1]) if pa.std() > 0 and pb.std() > 0 else float("nan")
        gap = float(np.mean(np.abs(pa - pb)))
        for name in (a, b):
            correlation[name].append(corr)
            disagreement[name].append(gap)
    return {
        name: {"mean_correlation": _mean(correlation[name]), "mean_disagreement": _mean(disagreement[name])}
        for name in names
    }


def _mean(values: list[float]) -> float:
    """Mean of the defined values; NaN when none is (e.g. a member that predicts a constant)."""
    defined = [value for value in values if np.isfinite(value)]
    return float(np.mean(defined)) if defined else float("nan")


def _auc(y: np.ndarray, p: np.ndarray) -> float:
    return float(roc_auc_score(y, p)) if len(np.unique(y)) == 2 else float("nan")
