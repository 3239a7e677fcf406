"""The classifiers the ensemble is made of, each storable without pickle.

- `LightGBMClassifier`: gradient-boosted trees on a set of inputs (native text model).
- `LogisticClassifier`: L2 logistic regression on median-imputed, standardised inputs (JSON).

Both expose `fit(X, y)`, `predict_raw(X)` (uncalibrated P(positive)) and an artifact round trip.
Calibration is a separate step (ml.calibration) fitted on the validation window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

BASE_LIGHTGBM_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.03,
    "num_leaves": 15,
    "min_data_in_leaf": 50,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "verbosity": -1,
    # Two cores on the target machine; deterministic so the same seed gives the same model.
    "num_threads": 2,
    "deterministic": True,
    "force_col_wise": True,
    # 63 bins instead of 255: a third less training time, no loss of skill measured on the demo.
    "max_bin": 63,
}


def train_booster(
    values: np.ndarray, label: np.ndarray, params: Mapping[str, Any], rounds: int, seed: int
) -> lgb.Booster:
    """LightGBM on the project's base settings overlaid with `params` (every model trains here)."""
    merged = {**BASE_LIGHTGBM_PARAMS, **params, "seed": seed}
    return lgb.train(merged, lgb.Dataset(values, label=label), num_boost_round=rounds)


class LightGBMClassifier:
    """Binary LightGBM on `features` (None = every column given to fit)."""

    def __init__(
        self,
        params: Mapping[str, Any] | None = None,
        num_boost_round: int = 200,
        features: Sequence[str] | None = None,
        monotone: Mapping[str, int] | None = None,
        random_state: int = 0,
    ) -> None:
        self.params = params
        self.num_boost_round = num_boost_round
        self.features = features
        self.monotone = monotone
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> LightGBMClassifier:
        self.features_ = list(self.features) if self.features is not None else list(X.columns)
        params = dict(self.params or {})
        if self.monotone:
            params["monotone_constraints"] = [int(self.monotone.get(name, 0)) for name in self.features_]
        self.booster_ = train_booster(
            X[self.features_].to_numpy(dtype=float),
            np.asarray(y, dtype=float),
            params,
            self.num_boost_round,
            self.random_state,
        )
        return self

    def predict_raw(self, X: pd.DataFrame) -> np.ndarray:
        return self.booster_.predict(X[self.features_].to_numpy(dtype=float))

    def contributions(self, X: pd.DataFrame) -> np.ndarray:
        """Per-row SHAP contributions in log-odds (LightGBM `pred_contrib`), one column per input."""
        return self.booster_.predict(X[self.features_].to_numpy(dtype=float), pred_contrib=True)[:, :-1]

    def to_artifact(self) -> tuple[str, dict]:
        return self.booster_.model_to_string(), {"kind": "lightgbm", "features": self.features_}

    @classmethod
    def from_artifact(cls, model_text: str, meta: Mapping[str, Any]) -> LightGBMClassifier:
        member = cls(features=meta["features"])
        member.features_ = list(meta["features"])
        member.booster_ = lgb.Booster(model_str=model_text)
        return member


class LogisticClassifier:
    """L2-regularised logistic regression on standardised inputs (missing = training median)."""

    def __init__(self, C: float = 0.1, features: Sequence[str] | None = None) -> None:  # noqa: N803
        self.C = C
        self.features = features

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> LogisticClassifier:
        self.features_ = list(self.features) if self.features is not None else list(X.columns)
        values = X[self.features_].to_numpy(dtype=float)
        median = np.nanmedian(np.where(np.isfinite(values), values, np.nan), axis=0)
        self.median_ = np.nan_to_num(median, nan=0.0)
        filled = self._filled(values)
        self.mean_ = filled.mean(axis=0)
        std = filled.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        model = LogisticRegression(C=self.C, max_iter=1000)
        model.fit(self._standardised(filled), np.asarray(y, dtype=int))
        self.coef_, self.intercept_ = model.coef_[0], float(model.intercept_[0])
        return self

    def predict_raw(self, X: pd.DataFrame) -> np.ndarray:
        z = self._standardised(self._filled(X[self.features_].to_numpy(dtype=float))) @ self.coef_
        return 1 / (1 + np.exp(-(z + self.intercept_)))

    def _filled(self, values: np.ndarray) -> np.ndarray:
        return np.where(np.isfinite(values), values, self.median_)

    def _standardised(self, filled: np.ndarray) -> np.ndarray:
        # Clipped so one extreme row cannot dominate a linear model.
        return np.clip((filled - self.mean_) / self.scale_, -10, 10)

    def to_artifact(self) -> tuple[None, dict]:
        return None, {
            "kind": "logistic",
            "features": self.features_,
            "median": self.median_.tolist(),
            "mean": self.mean_.tolist(),
            "scale": self.scale_.tolist(),
            "coef": self.coef_.tolist(),
            "intercept": self.intercept_,
        }

    @classmethod
    def from_artifact(cls, _model_text: str | None, meta: Mapping[str, Any]) -> LogisticClassifier:
        member = cls(features=meta["features"])
        member.features_ = list(meta["features"])
        for name in ("median", "mean", "scale", "coef"):
            setattr(member, f"{name}_", np.asarray(meta[name], dtype=float))
        member.intercept_ = float(meta["intercept"])
        return member


MEMBER_KINDS = {"lightgbm": LightGBMClassifier, "logistic": LogisticClassifier}
