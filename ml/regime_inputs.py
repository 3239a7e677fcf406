"""The market-regime input: the filtered probability of the S&P 500's high-volatility regime.

Fitted walk-forward (ml.regime): the probability on a day comes from a model fitted on returns up
to a refit date before that day, filtered with returns up to that day's close only. A day with no
S&P 500 close (outside the market data's coverage) gets no probability: unknown, not guessed.

The refit dates are a fixed grid (every `regime.refit_every_days` from the first return), never
derived from how much data there is: removing later data cannot change an earlier day's value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ml.dataset import Panel
from ml.regime import HIGH_VOL_COLUMN, RegimeModel, walk_forward_regime_probabilities

REGIME_INPUT = HIGH_VOL_COLUMN


def with_regime_input(panel: Panel, returns: pd.Series, config: Mapping[str, Any]) -> pd.DataFrame:
    """The panel's inputs plus `regime_p_high_vol` on each row's as_of_date."""
    X = panel.X.copy()  # noqa: N806
    X[REGIME_INPUT] = regime_probability(returns, config).reindex(panel.frame["as_of_date"]).to_numpy()
    return X


def regime_probability(returns: pd.Series, config: Mapping[str, Any]) -> pd.Series:
    """The filtered high-volatility probability per market date, re-fitted on the refit grid."""
    settings = config.get("regime") or {}
    model = RegimeModel(
        n_regimes=int(settings.get("n_regimes", 2)),
        min_history_days=int(settings.get("min_history_days", 250)),
        random_state=int(config.get("random_state", 0)),
    )
    known = returns.dropna()
    if known.empty:
        return pd.Series(dtype=float)
    grid = refit_grid(known.index[0], known.index[-1], int(settings.get("refit_every_days", 28)))
    probabilities = walk_forward_regime_probabilities(returns, [day.date() for day in grid], model)
    column = probabilities[HIGH_VOL_COLUMN]
    column.index = pd.DatetimeIndex(column.index)
    return column


def refit_grid(first: pd.Timestamp, last: pd.Timestamp, every_days: int) -> list[pd.Timestamp]:
    """first, first + every_days, … up to last: the same grid whatever comes after a date."""
    return list(pd.date_range(first, last, freq=f"{every_days}D"))
