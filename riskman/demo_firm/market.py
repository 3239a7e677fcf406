"""Real market data from `arch.data`: the trading calendar, S&P 500 returns and VIX."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from riskman.market_data import load_arch_series

LOOKBACK_DAYS = 366


@dataclass(frozen=True)
class Market:
    """The demo period's trading days with the market state the traders live in."""

    dates: pd.DatetimeIndex
    spx_return: np.ndarray  # close-to-close log return of the day
    vix_prev: np.ndarray  # VIX at the previous close (known before the day starts)
    vix_median: float


def load_market(start: date, end: date) -> Market:
    """The S&P 500 trading days in [start, end] with returns and the prior close's VIX."""
    spx, _, vix = load_arch_series()
    close = spx["Adj Close"]
    log_ret = np.log(close).diff()
    dates = spx.index[(spx.index >= pd.Timestamp(start)) & (spx.index <= pd.Timestamp(end))]
    if len(dates) == 0:
        raise ValueError(f"no trading days between {start} and {end} in the arch S&P 500 data")
    # Where VIX does not exist (before 2014), proxy it by 21-day realised S&P vol (annualised %).
    realised = log_ret.rolling(21).std() * np.sqrt(252) * 100
    vix_full = vix.reindex(spx.index).fillna(realised).ffill().bfill()
    vix_prev = vix_full.shift(1).reindex(dates).to_numpy()
    return Market(
        dates=pd.DatetimeIndex(dates),
        spx_return=log_ret.reindex(dates).fillna(0.0).to_numpy(),
        vix_prev=vix_prev,
        vix_median=float(np.median(vix_prev)),
    )
