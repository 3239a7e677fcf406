"""The walk-forward backtest of the risk models: strictly out-of-sample predictions for history.

For each fold of the splitter (ml.walk_forward): fit a RiskModel on the training window,
calibrate on the validation window, score the test window; fit every rule baseline on the same
training rows and score the same test rows. The ensemble's weights use only earlier test windows
whose labels were known before the fold's first test day.

Returns tidy frames (skforecast style): the out-of-sample predictions of every model, the
contract's prediction rows, the ensemble weights per retrain, and the per-fold evaluation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ml.baselines import BASELINE_RULES, BaselineClassifier, baseline_scores, historical_var
from ml.config import TARGETS
from ml.dataset import Panel
from ml.ensemble import diversity, trailing_log_loss
from ml.evaluation import evaluate_predictions
from ml.regime_inputs import with_regime_input
from ml.risk_model import MAIN_MEMBER, PROBABILITY_COLUMN, RiskModel
from ml.walk_forward import Fold, WalkForwardSplit

KEYS = ["trader_id", "as_of_date"]
LABELS = ["target_date", "is_loss", "is_large_loss", "net_pnl", "next_trading_date"]
ENSEMBLE = "ensemble"
HISTORICAL_VAR = "historical_var"


@dataclass
class BacktestResult:
    """Out-of-sample results: `oos` (one row per fold × model × trader-day), the ensemble's
    `predictions` (contract columns before run ids), `weights` and `evaluation`."""

    oos: pd.DataFrame
    predictions: pd.DataFrame
    weights: pd.DataFrame
    evaluation: pd.DataFrame
    folds: list[Fold] = field(default_factory=list)


def splitter_from_config(config: Mapping[str, Any], step_days: int | None = None) -> WalkForwardSplit:
    wf = dict(config["walk_forward"])
    if step_days is not None:
        wf["step_days"] = step_days
    return WalkForwardSplit(**wf)


def run_backtest(
    panel: Panel,
    trader_days: pd.DataFrame,
    market_returns: pd.Series,
    config: Mapping[str, Any],
    splitter: WalkForwardSplit,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    progress: Callable[[Iterable[Fold], int], Iterable[Fold]] | None = None,
) -> BacktestResult:
    """Walk forward over the panel; only folds whose test window starts in [start, end] are scored."""
    frame = panel.frame
    folds = [
        fold
        for fold in splitter.split(frame["as_of_date"], frame["target_date"])
        if (start is None or pd.Timestamp(fold.test_start) >= start)
        and (end is None or pd.Timestamp(fold.test_start) <= end)
    ]
    if not folds:
        raise ValueError("no walk-forward fold fits the data: too little history for the protocol")
    X = with_regime_input(panel, market_returns, config)  # noqa: N806
    scores = frame[KEYS].merge(baseline_scores(trader_days), on=KEYS, how="left")
    specs = {spec.name: spec for spec in panel.features}
    seed = int(config.get("random_state", 0))
    history: dict[str, pd.DataFrame] = {target: pd.DataFrame() for target in TARGETS}
    oos, weights = [], []
    for fold in progress(folds, len(folds)) if progress else folds:
        model = RiskModel(config, specs, random_state=seed).fit(X, frame, fold.train, fold.validation)
        _reweight(model, history, pd.Timestamp(fold.test_start), config)
        test_X, test_rows = X.iloc[fold.test], frame.iloc[fold.test]  # noqa: N806
        predicted = model.predict(test_X, test_rows)
        oos.append(_model_rows(fold, test_rows, predicted, model))
        oos.append(_baseline_rows(fold, frame, scores, test_rows))
        weights.append(_weight_rows(fold, model, predicted))
        _remember(history, test_rows, predicted, model)
    oos_frame = pd.concat(oos, ignore_index=True)
    return BacktestResult(
        oos=oos_frame,
        predictions=_contract_rows(oos_frame),
        weights=pd.concat(weights, ignore_index=True),
        evaluation=evaluate_predictions(oos_frame, group_cols=("fold_id", "model")),
        folds=folds,
    )


def _reweight(
    model: RiskModel, history: dict[str, pd.DataFrame], test_start: pd.Timestamp, config: Mapping[str, Any]
) -> None:
    settings = config["ensemble"]
    for target, ensemble in model.ensembles_.items():
        if history[target].empty:
            continue
        losses, rows = trailing_log_loss(
            history[target], list(ensemble.members_), test_start, float(settings["halflife_days"])
        )
        if rows >= int(settings["min_trailing_rows"]):
            ensemble.set_weights(losses)


def _remember(
    history: dict[str, pd.DataFrame], test_rows: pd.DataFrame, predicted: pd.DataFrame, model: RiskModel
) -> None:
    for target, ensemble in model.ensembles_.items():
        labelled = test_rows[target].notna().to_numpy()
        column = PROBABILITY_COLUMN[target]
        rows = pd.DataFrame(
            {
                "target_date": test_rows["target_date"].to_numpy()[labelled],
                "y": test_rows[target].to_numpy()[labelled],
                **{name: predicted[f"{column}__{name}"].to_numpy()[labelled] for name in ensemble.members_},
            }
        )
        history[target] = pd.concat([history[target], rows], ignore_index=True)


def _model_rows(
    fold: Fold, test_rows: pd.DataFrame, predicted: pd.DataFrame, model: RiskModel
) -> pd.DataFrame:
    base = test_rows[["trader_id", "as_of_date", "account_id", *LABELS]].reset_index(drop=True)
    base.insert(0, "fold_id", fold.fold_id)
    predicted = predicted.reset_index(drop=True)
    frames = [
        base.assign(
            model=ENSEMBLE,
            p_loss=predicted["p_loss"],
            p_large_loss=predicted["p_large_loss"],
            var_95_usd=predicted["var_95_usd"],
            top_reasons=predicted["top_reasons"],
        )
    ]
    for name in model.ensembles_["is_loss"].members_:
        frames.append(
            base.assign(
                model=name,
                p_loss=predicted[f"p_loss__{name}"],
                p_large_loss=predicted[f"p_large_loss__{name}"],
                # The quantile model is LightGBM: it is "the model"'s tail as well.
                var_95_usd=predicted["var_95_usd"] if name == MAIN_MEMBER else np.nan,
            )
        )
    return pd.concat(frames, ignore_index=True)


def _baseline_rows(
    fold: Fold, frame: pd.DataFrame, scores: pd.DataFrame, test_rows: pd.DataFrame
) -> pd.DataFrame:
    base = test_rows[["trader_id", "as_of_date", "account_id", *LABELS]].reset_index(drop=True)
    base.insert(0, "fold_id", fold.fold_id)
    test_scores = scores.iloc[fold.test].reset_index(drop=True)
    frames = []
    for rule in BASELINE_RULES:
        probabilities = {}
        for target in TARGETS:
            train = fold.train[frame[target].iloc[fold.train].notna().to_numpy()]
            classifier = BaselineClassifier(rule).fit(
                scores.iloc[train].reset_index(drop=True), frame[target].iloc[train].to_numpy()
            )
            probabilities[PROBABILITY_COLUMN[target]] = classifier.predict_proba(test_scores)
        frames.append(base.assign(model=rule, var_95_usd=np.nan, **probabilities))
    frames.append(
        base.assign(
            model=HISTORICAL_VAR, p_loss=np.nan, p_large_loss=np.nan, var_95_usd=historical_var(test_scores)
        )
    )
    return pd.concat(frames, ignore_index=True)


def _weight_rows(fold: Fold, model: RiskModel, predicted: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for target, ensemble in model.ensembles_.items():
        column = PROBABILITY_COLUMN[target]
        members = predicted[[f"{column}__{name}" for name in ensemble.members_]]
        members.columns = list(ensemble.members_)
        spread = diversity(members)
        for name in ensemble.members_:
            rows.append(
                {
                    "fold_id": fold.fold_id,
                    "trained_until": pd.Timestamp(fold.train_end),
                    "test_start": pd.Timestamp(fold.test_start),
                    "target": target,
                    "member": name,
                    "weight": ensemble.weights_[name],
                    "weighting_log_loss": ensemble.weight_losses_[name],
                    "validation_log_loss": ensemble.validation_log_loss_[name],
                    "validation_auc": ensemble.validation_auc_[name],
                    "calibration": ensemble.calibrators_[name].method_,
                    **spread[name],
                }
            )
    return pd.DataFrame(rows)


def _contract_rows(oos: pd.DataFrame) -> pd.DataFrame:
    ensemble = oos[oos["model"] == ENSEMBLE].reset_index(drop=True)
    # A row without a label (the trader did not trade next day) is still a prediction for that day.
    ensemble["target_date"] = ensemble["next_trading_date"]
    columns = ["fold_id", "trader_id", "account_id", "as_of_date", "target_date"]
    return ensemble[[*columns, "p_loss", "p_large_loss", "var_95_usd", "top_reasons"]]
