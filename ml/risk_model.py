"""RiskModel: everything predicted for a trader's next day, fitted on one training window.

- `is_loss` and `is_large_loss`: an ensemble of calibrated classifiers each (ml.ensemble); the
  ensemble's probability is the contract's `p_loss` / `p_large_loss`, and the first LightGBM
  member alone is "the model" the evaluation reports beside it.
- `var_95_usd`: a LightGBM quantile model on the trader's own scale (ml.tail_model).
- `top_reasons`: the large-loss LightGBM member's top contributions (ml.reasons).

Rows are fitted only when labelled; the validation window calibrates, it never trains.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ml.config import TARGETS, lightgbm_settings, monotone_for, split_rounds
from ml.ensemble import EnsembleClassifier
from ml.members import LightGBMClassifier, LogisticClassifier
from ml.reasons import top_reasons
from ml.tail_model import TailQuantileModel
from riskman.feature_catalog import FeatureSpec

PROBABILITY_COLUMN = {"is_loss": "p_loss", "is_large_loss": "p_large_loss"}
MAIN_MEMBER = "lightgbm"
REGULARISED_MEMBER = "lightgbm_regularised"
REASONS_TARGET = "is_large_loss"


class RiskModel:
    """Both classification targets and the 5% tail, for one training/validation window."""

    def __init__(
        self, config: Mapping[str, Any], specs: Mapping[str, FeatureSpec], random_state: int = 0
    ) -> None:
        self.config = config
        self.specs = specs
        self.random_state = random_state

    def fit(
        self,
        X: pd.DataFrame,
        frame: pd.DataFrame,
        train: np.ndarray,
        validation: np.ndarray,  # noqa: N803
    ) -> RiskModel:
        """`X` are the inputs and `frame` the panel (labels, scale) on the same rows; `train` and
        `validation` are row positions."""
        self.inputs_ = list(X.columns)
        self.ensembles_ = {}
        for target in TARGETS:
            tr = train[frame[target].iloc[train].notna().to_numpy()]
            va = validation[frame[target].iloc[validation].notna().to_numpy()]
            if len(tr) == 0 or len(va) == 0 or frame[target].iloc[tr].nunique() < 2:
                raise ValueError(
                    f"{target}: too few labelled rows to fit (train {len(tr)}, validation {len(va)})"
                )
            ensemble = EnsembleClassifier(self._members(target), eta=float(self.config["ensemble"]["eta"]))
            self.ensembles_[target] = ensemble.fit(
                X.iloc[tr],
                frame[target].iloc[tr].to_numpy(),
                X.iloc[va],
                frame[target].iloc[va].to_numpy(),
                frame["as_of_date"].iloc[va].to_numpy(),
            )
        self.tail_ = self._fit_tail(X, frame, train, validation)
        return self

    def predict(self, X: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:  # noqa: N803
        """Per row: p_loss, p_large_loss, var_95_usd, top_reasons and each member's probability
        (`<p column>__<member>`)."""
        out = pd.DataFrame(index=X.index)
        for target, ensemble in self.ensembles_.items():
            members = ensemble.predict_members(X)
            column = PROBABILITY_COLUMN[target]
            out[column] = ensemble.combine(members)
            for name in members.columns:
                out[f"{column}__{name}"] = members[name].to_numpy()
        out["var_95_usd"] = self.tail_.predict(X, frame["pnl_scale_usd"].to_numpy())
        out["top_reasons"] = self.reasons(X, frame)
        return out

    def feature_gain(self) -> dict[str, pd.Series]:
        """Per target, the main LightGBM member's total split gain per input (importance)."""
        out = {}
        for target, ensemble in self.ensembles_.items():
            member = ensemble.members_[MAIN_MEMBER]
            gain = member.booster_.feature_importance(importance_type="gain")
            out[target] = pd.Series(gain, index=member.features_, dtype=float)
        return out

    def reasons(self, X: pd.DataFrame, frame: pd.DataFrame) -> list[str]:  # noqa: N803
        member = self.ensembles_[REASONS_TARGET].members_[MAIN_MEMBER]
        raw = X[member.features_].to_numpy(dtype=float).copy()
        scale = frame["pnl_scale_usd"].to_numpy(dtype=float)
        for i, name in enumerate(member.features_):
            spec = self.specs.get(name)
            if spec is not None and spec.unit == "usd":
                raw[:, i] *= scale  # back to dollars for the reader
        return top_reasons(member.contributions(X), raw, member.features_, self.specs)

    def _members(self, target: str) -> dict[str, Any]:
        seed = self.random_state
        main_params, main_rounds = split_rounds(lightgbm_settings(self.config, target))
        calm_params, calm_rounds = split_rounds(lightgbm_settings(self.config, target, REGULARISED_MEMBER))
        monotone = monotone_for(self.config, target)
        return {
            MAIN_MEMBER: lambda: LightGBMClassifier(
                main_params, main_rounds, self.inputs_, monotone=monotone, random_state=seed
            ),
            REGULARISED_MEMBER: lambda: LightGBMClassifier(
                calm_params, calm_rounds, self.inputs_, random_state=seed + 1
            ),
            "logistic": lambda: LogisticClassifier(
                C=float(self.config["logistic"]["C"]), features=self.inputs_
            ),
        }

    def _fit_tail(
        self,
        X: pd.DataFrame,
        frame: pd.DataFrame,
        train: np.ndarray,
        validation: np.ndarray,  # noqa: N803
    ) -> TailQuantileModel:
        params, rounds = split_rounds(lightgbm_settings(self.config, "var_95"))
        labelled_train = train[frame["net_pnl"].iloc[train].notna().to_numpy()]
        labelled_val = validation[frame["net_pnl"].iloc[validation].notna().to_numpy()]
        model = TailQuantileModel(0.05, params, rounds, self.inputs_, random_state=self.random_state)
        model.fit(
            X.iloc[labelled_train],
            frame["net_pnl"].iloc[labelled_train].to_numpy(),
            frame["pnl_scale_usd"].iloc[labelled_train].to_numpy(),
        )
        return model.calibrate(
            X.iloc[labelled_val],
            frame["net_pnl"].iloc[labelled_val].to_numpy(),
            frame["pnl_scale_usd"].iloc[labelled_val].to_numpy(),
        )
