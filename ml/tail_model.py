"""The 5% tail of next-day net P&L (`var_95_usd`, negative = loss), on each trader's own scale.

LightGBM's quantile objective learns the alpha-quantile of P&L divided by the trader's P&L scale
(pooled across traders, whose dollar sizes differ by orders of magnitude); the prediction is
multiplied back into dollars. A quantile model's coverage drifts with regime, so the validation
window fixes one factor that makes its coverage there equal alpha (a split-conformal step).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from ml.members import train_booster


class TailQuantileModel:
    """alpha-quantile of next-day P&L in dollars; NaN where the trader's scale is unknown."""

    def __init__(
        self,
        alpha: float = 0.05,
        params: Mapping[str, Any] | None = None,
        num_boost_round: int = 200,
        features: Sequence[str] | None = None,
        random_state: int = 0,
    ) -> None:
        self.alpha = alpha
        self.params = params
        self.num_boost_round = num_boost_round
        self.features = features
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, net_pnl: np.ndarray, scale: np.ndarray) -> TailQuantileModel:
        self.features_ = list(self.features) if self.features is not None else list(X.columns)
        y = np.asarray(net_pnl, dtype=float) / np.asarray(scale, dtype=float)
        keep = np.isfinite(y)
        params = {**(self.params or {}), "objective": "quantile", "alpha": self.alpha}
        values = X[self.features_].to_numpy(dtype=float)[keep]
        self.booster_ = train_booster(values, y[keep], params, self.num_boost_round, self.random_state)
        self.coverage_factor_ = 1.0
        return self

    def calibrate(self, X: pd.DataFrame, net_pnl: np.ndarray, scale: np.ndarray) -> TailQuantileModel:
        """Scale the quantile so that a share alpha of the validation rows falls below it."""
        ratio = np.asarray(net_pnl, dtype=float) / np.asarray(scale, dtype=float)
        q = self._raw_quantile(X)
        usable = np.isfinite(ratio) & (q < 0)
        if usable.sum() >= 1 / self.alpha:
            # The factor c with share(ratio < c·q) = alpha is the (1 − alpha) quantile of ratio/q.
            self.coverage_factor_ = float(np.quantile(ratio[usable] / q[usable], 1 - self.alpha))
        return self

    def predict(self, X: pd.DataFrame, scale: np.ndarray) -> np.ndarray:
        return self._raw_quantile(X) * self.coverage_factor_ * np.asarray(scale, dtype=float)

    def _raw_quantile(self, X: pd.DataFrame) -> np.ndarray:
        return self.booster_.predict(X[self.features_].to_numpy(dtype=float))

    def to_artifact(self) -> tuple[str, dict]:
        meta = {
            "kind": "lightgbm_quantile",
            "alpha": self.alpha,
            "features": self.features_,
            "coverage_factor": self.coverage_factor_,
        }
        return self.booster_.model_to_string(), meta

    @classmethod
    def from_artifact(cls, model_text: str, meta: Mapping[str, Any]) -> TailQuantileModel:
        model = cls(alpha=meta["alpha"], features=meta["features"])
        model.features_ = list(meta["features"])
        model.booster_ = lgb.Booster(model_str=model_text)
        model.coverage_factor_ = float(meta["coverage_factor"])
        return model
