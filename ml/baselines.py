"""Simple-rule baselines a risk manager could run by hand, scored on the same rows as the model.

`baseline_scores` computes each rule's score per trader-day from the trader's own history, point in
time: the value at as_of_date uses only that trader's rows up to and including as_of_date. Windows
count ACTIVE days (idle days carry no P&L information), and an idle day carries the last active
day's value forward. `BaselineClassifier` maps one rule's score to a probability so the baselines
can be compared on Brier and log loss as well as AUC.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

KEY_COLUMNS = ["trader_id", "as_of_date"]
SCORE_COLUMNS = [
    "trailing_loss_rate_20d",
    "losing_streak",
    "drawdown_vol_units",
    "volatility_ratio_20d_60d",
    "var_95_historical",
]
LOSS_RATE_WINDOW, LOSS_RATE_MIN_DAYS = 20, 5
SHORT_VOL_WINDOW, LONG_VOL_WINDOW = 20, 60
# Fewer active days than this and a standard deviation is too noisy to scale by.
VOL_MIN_DAYS = 10
VAR_WINDOW, VAR_MIN_DAYS, VAR_ALPHA = 120, 20, 0.05

# rule -> (score column, direction): +1 means a higher score says more risk. base_rate has no
# score (always trade, predict the training rate), so no direction either.
BASELINE_RULES: Mapping[str, tuple[str | None, int]] = {
    "trailing_loss_rate": ("trailing_loss_rate_20d", +1),
    "volatility_scaling": ("volatility_ratio_20d_60d", +1),
    "losing_streak": ("losing_streak", +1),
    "drawdown": ("drawdown_vol_units", +1),
    "base_rate": (None, 0),
}


def _losing_streak(losing: pd.Series) -> pd.Series:
    """Consecutive True values ending at each row (0 on a False row)."""
    run_id = (~losing).cumsum()
    return losing.astype(int).groupby(run_id).cumsum()


def _active_day_scores(pnl: pd.Series) -> pd.DataFrame:
    """Rule inputs over one trader's active days only, each row using that row and earlier ones."""
    losing = pnl < 0
    long_vol = pnl.rolling(LONG_VOL_WINDOW, min_periods=VOL_MIN_DAYS).std()
    short_vol = pnl.rolling(SHORT_VOL_WINDOW, min_periods=VOL_MIN_DAYS).std()
    # A flat P&L history has no volatility to scale by: NaN rather than inf.
    long_vol = long_vol.where(long_vol > 0)
    return pd.DataFrame(
        {
            "trailing_loss_rate_20d": losing.astype(float)
            .rolling(LOSS_RATE_WINDOW, min_periods=LOSS_RATE_MIN_DAYS)
            .mean(),
            "losing_streak": _losing_streak(losing).astype(float),
            "long_vol": long_vol,
            "volatility_ratio_20d_60d": short_vol / long_vol,
            "var_95_historical": pnl.rolling(VAR_WINDOW, min_periods=VAR_MIN_DAYS).quantile(VAR_ALPHA),
        },
        index=pnl.index,
    )


def _drawdown(net_pnl: pd.Series) -> pd.Series:
    """Cumulative P&L's distance below its running peak; the peak starts at 0 (the first day's equity)."""
    equity = net_pnl.cumsum()
    peak = np.maximum(equity.cummax(), 0.0)
    return peak - equity


def _carry_forward(on_active: pd.DataFrame, active: pd.Series) -> pd.DataFrame:
    """Every row gets the latest active row's values at or before it (NaN before the first active day).

    Idle days neither add to nor reset a window. Not a plain ffill: that would also paper over a
    NaN an active day produced itself.
    """
    if on_active.empty:
        return pd.DataFrame(np.nan, index=active.index, columns=on_active.columns)
    latest = active.to_numpy().cumsum() - 1
    carried = on_active.iloc[np.maximum(latest, 0)].set_axis(active.index)
    carried.loc[latest < 0] = np.nan
    return carried


def _trader_scores(history: pd.DataFrame) -> pd.DataFrame:
    """Every baseline score for one trader's date-sorted history."""
    active = history["is_active"].astype(bool)
    on_active = _active_day_scores(history.loc[active, "net_pnl"].astype(float))
    scores = _carry_forward(on_active, active)
    scores["losing_streak"] = scores["losing_streak"].fillna(0.0)
    drawdown = _drawdown(history["net_pnl"].astype(float))
    scores["drawdown_vol_units"] = drawdown / scores.pop("long_vol")
    return scores


def baseline_scores(days: pd.DataFrame) -> pd.DataFrame:
    """trader_id, as_of_date and one column per rule score (SCORE_COLUMNS), one row per input row.

    `days` holds trader_id, as_of_date (every trading day on the trader's spine), is_active (bool) and
    net_pnl (0 on idle days).
    """
    if days.duplicated(KEY_COLUMNS).any():
        raise ValueError("days has duplicate (trader_id, as_of_date) rows")
    ordered = days.sort_values(KEY_COLUMNS, kind="mergesort").reset_index(drop=True)
    parts = [_trader_scores(history) for _, history in ordered.groupby("trader_id", sort=False)]
    scores = pd.concat(parts) if parts else pd.DataFrame(columns=SCORE_COLUMNS, dtype=float)
    result = ordered[KEY_COLUMNS].join(scores[SCORE_COLUMNS])
    return result.reset_index(drop=True)


def historical_var(scores: pd.DataFrame) -> np.ndarray:
    """The historical-simulation VaR baseline: each row's 5% P&L quantile (NaN with little history)."""
    return scores["var_95_historical"].to_numpy(dtype=float)


class BaselineClassifier(BaseEstimator):
    """One rule's score mapped to P(positive) by a 1-feature logistic regression.

    The fit is constrained to the rule's direction (a higher directed score never lowers the
    probability), so the ranking, and hence the AUC, is the rule's own. When the training data
    disagree with the rule the constrained fit is the base rate (see `fit`). 'base_rate' always
    predicts the training mean.

    Attributes set by fit: `base_rate_`, `model_` (the LogisticRegression, or None for 'base_rate' and
    when the fit fell back to the base rate); for a scored rule also `median_` (imputes a missing
    score) and `follows_rule_`.
    """

    def __init__(self, rule: str):
        self.rule = rule

    def _directed_score(self, scores: pd.DataFrame) -> np.ndarray:
        """The rule's score, signed so higher means riskier, missing values imputed; shape (n, 1)."""
        column, direction = BASELINE_RULES[self.rule]
        values = scores[column].to_numpy(dtype=float)
        values = np.where(np.isnan(values), self.median_, values)
        return (direction * values).reshape(-1, 1)

    def fit(self, scores: pd.DataFrame, y: np.ndarray | pd.Series) -> BaselineClassifier:
        """Learn the probability map from `scores` (baseline_scores rows) and 0/1 labels `y`."""
        if self.rule not in BASELINE_RULES:
            raise ValueError(f"unknown rule {self.rule!r}; expected one of {sorted(BASELINE_RULES)}")
        labels = np.asarray(y, dtype=float)
        if np.isnan(labels).any():
            raise ValueError("y has missing labels: drop those rows before fitting")
        self.base_rate_ = float(labels.mean())
        column, _ = BASELINE_RULES[self.rule]
        if column is None:
            self.model_ = None
            return self
        self.median_ = float(np.nanmedian(scores[column].to_numpy(dtype=float)))
        if np.isnan(self.median_):
            raise ValueError(f"no training row has a {column} score")
        self.model_ = self._fit_monotone(self._directed_score(scores), labels)
        self.follows_rule_ = self.model_ is not None
        return self

    @staticmethod
    def _fit_monotone(x: np.ndarray, labels: np.ndarray) -> LogisticRegression | None:
        """The logistic fit with slope >= 0, or None when that constrained optimum is slope 0.

        The log-likelihood is concave, so when the free fit's slope is negative the best
        non-negative slope is 0, i.e. the base rate.
        """
        if np.unique(labels).size < 2:
            return None
        model = LogisticRegression().fit(x, labels)
        return model if model.coef_[0, 0] > 0 else None

    def predict_proba(self, scores: pd.DataFrame) -> np.ndarray:
        """P(positive) per row of `scores`, as a 1-D array (not sklearn's (n, 2))."""
        check_is_fitted(self, "base_rate_")
        if self.model_ is None:
            return np.full(len(scores), self.base_rate_)
        return self.model_.predict_proba(self._directed_score(scores))[:, 1]
