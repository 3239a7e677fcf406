"""The live models: train on all labelled data, promote only a better challenger, score a day.

Training uses the walk-forward geometry with the test window in the future: the last
`validation_days` of labelled rows calibrate, everything before them (purged and embargoed)
trains. A new model (challenger) replaces the champion only if its recipe, fitted on data before
the rows the champion has never seen, beats the champion on those rows (log loss, both targets).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ml.calibration import clipped_log_loss
from ml.config import TARGETS
from ml.dataset import Panel
from ml.regime_inputs import with_regime_input
from ml.risk_model import PROBABILITY_COLUMN, RiskModel


@dataclass(frozen=True)
class PromotionDecision:
    promote: bool
    reason: str
    challenger_log_loss: float | None = None
    champion_log_loss: float | None = None
    rows: int = 0


def training_window(
    frame: pd.DataFrame, validation_days: int, embargo_days: int, before: pd.Timestamp | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Train and validation positions for a fit on labelled rows known before `before` (default:
    all): validation = the last `validation_days` calendar days of labelled as_of_dates."""
    labelled = frame["target_date"].notna().to_numpy().copy()
    if before is not None:
        labelled &= (frame["target_date"] < before).to_numpy()
    if not labelled.any():
        raise ValueError("no labelled rows to train on")
    as_of = frame["as_of_date"]
    last = as_of[labelled].max()
    validation_start = last - pd.Timedelta(days=validation_days - 1)
    dates = np.sort(as_of.unique())
    embargoed = set(dates[dates < np.datetime64(validation_start)][-embargo_days:])
    in_validation = labelled & (as_of >= validation_start).to_numpy()
    in_train = (
        labelled
        & (as_of < validation_start).to_numpy()
        & (frame["target_date"] < validation_start).to_numpy()
        & ~as_of.isin(embargoed).to_numpy()
    )
    return np.flatnonzero(in_train), np.flatnonzero(in_validation)


def fit_live(
    panel: Panel,
    returns: pd.Series,
    config: Mapping[str, Any],
    before: pd.Timestamp | None = None,
) -> tuple[RiskModel, pd.DataFrame]:
    """A RiskModel on every row labelled before `before`; also returns the inputs it used."""
    frame = panel.frame
    X = with_regime_input(panel, returns, config)  # noqa: N806
    wf = config["walk_forward"]
    train, validation = training_window(frame, int(wf["validation_days"]), int(wf["embargo_days"]), before)
    specs = {spec.name: spec for spec in panel.features}
    model = RiskModel(config, specs, random_state=int(config.get("random_state", 0)))
    return model.fit(X, frame, train, validation), X


def promotion_decision(
    panel: Panel,
    returns: pd.Series,
    config: Mapping[str, Any],
    champion: RiskModel | None,
    champion_trained_until: pd.Timestamp | None,
    min_rows: int = 100,
) -> PromotionDecision:
    """Should a challenger trained now replace `champion`? See the module docstring.

    With fewer than `min_rows` labelled rows the champion has not seen (e.g. a retrain after a
    code or config change on the same data), the comparison falls back to the latest
    `validation_days` of labels, where the champion is in sample: the challenger's recipe must beat
    it there out of sample, which favours the champion.
    """
    if champion is None:
        return PromotionDecision(True, "no champion yet")
    frame = panel.frame
    labelled = frame["target_date"].notna()
    unseen = labelled & (frame["as_of_date"] > champion_trained_until)
    where = f"{int(unseen.sum())} unseen rows"
    if unseen.sum() < min_rows:
        recent = frame["as_of_date"] > frame.loc[labelled, "as_of_date"].max() - pd.Timedelta(
            days=int(config["walk_forward"]["validation_days"])
        )
        unseen = labelled & recent
        where = f"the latest {int(unseen.sum())} rows, in sample for the champion"
    if unseen.sum() < min_rows:
        return PromotionDecision(
            False, f"only {int(unseen.sum())} labelled rows to compare on (need {min_rows})"
        )
    window_start = frame.loc[unseen, "as_of_date"].min()
    shadow, X = fit_live(panel, returns, config, before=window_start)  # noqa: N806
    rows = np.flatnonzero(unseen.to_numpy())
    challenger_loss = mean_log_loss(shadow.predict(X.iloc[rows], frame.iloc[rows]), frame.iloc[rows])
    champion_X = X.reindex(columns=champion.inputs_)  # noqa: N806
    champion_loss = mean_log_loss(champion.predict(champion_X.iloc[rows], frame.iloc[rows]), frame.iloc[rows])
    promote = challenger_loss < champion_loss
    verdict = "beats" if promote else "does not beat"
    return PromotionDecision(
        promote,
        f"challenger {verdict} the champion on {where} "
        f"(log loss {challenger_loss:.4f} vs {champion_loss:.4f})",
        challenger_loss,
        champion_loss,
        len(rows),
    )


def mean_log_loss(predicted: pd.DataFrame, rows: pd.DataFrame) -> float:
    """Mean over both targets of the log loss on the rows that have that label."""
    losses = []
    for target in TARGETS:
        known = rows[target].notna().to_numpy()
        if known.any():
            y = rows[target].to_numpy()[known]
            losses.append(clipped_log_loss(y, predicted[PROBABILITY_COLUMN[target]].to_numpy()[known]))
    return float(np.mean(losses))


def score_day(
    model: RiskModel, panel: Panel, returns: pd.Series, config: Mapping[str, Any], as_of: pd.Timestamp
) -> pd.DataFrame:
    """Predictions for every trader on the spine at the close of `as_of`."""
    return score_rows(model, *model_inputs(model, panel, returns, config, as_of))


def score_rows(model: RiskModel, X: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:  # noqa: N803
    """Predictions for the model input rows X of the panel rows `frame` (model_inputs)."""
    predicted = model.predict(X, frame)
    keys = frame[["trader_id", "account_id", "as_of_date", "next_trading_date"]]
    out = pd.concat([keys.reset_index(drop=True), predicted.reset_index(drop=True)], axis=1)
    return out.rename(columns={"next_trading_date": "target_date"})


def model_inputs(
    model: RiskModel, panel: Panel, returns: pd.Series, config: Mapping[str, Any], as_of: pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The model's input rows (in its input order) and the panel rows of every trader on the
    spine at the close of `as_of`: exactly what score_day scores (and the audit trail stores)."""
    frame = panel.frame
    rows = np.flatnonzero((frame["as_of_date"] == as_of).to_numpy())
    if len(rows) == 0:
        raise ValueError(f"no trader is on the spine on {as_of:%Y-%m-%d}: nothing to score")
    X = with_regime_input(panel, returns, config).reindex(columns=model.inputs_)  # noqa: N806
    return X.iloc[rows], frame.iloc[rows]
