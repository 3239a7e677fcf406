"""The market the traders live in: trading calendar, S&P 500 returns and VIX.

Where the real S&P 500 from `arch.data` covers a day (1999–2018), the day and its return are
real, and so is the VIX from 2014 (before, 21-day realised S&P vol stands in). Outside that
coverage, the calendar is weekdays minus the NYSE holidays below, and the return path is a block
bootstrap of real S&P 500 daily log returns, with its own 21-day realised vol as the VIX stand-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from riskman.market_data import load_arch_series
from riskman.trading_calendar import market_calendar

LOOKBACK_DAYS = 366
BLOCK_DAYS = 20  # bootstrap block length, trading days
WARMUP_DAYS = 60  # calendar days of synthetic path before the period, to warm the realised vol
VOL_WINDOW = 21


@dataclass(frozen=True)
class Market:
    """The demo period's trading days with the market state the traders live in."""

    dates: pd.DatetimeIndex
    spx_return: np.ndarray  # close-to-close log return of the day
    vix_prev: np.ndarray  # VIX at the previous close (known before the day starts)
    vix_median: float
    synthetic: np.ndarray  # True where the day and its return are not real S&P 500 data


def _block_bootstrap(returns: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` returns made of consecutive BLOCK_DAYS-long runs of `returns` at random starts."""
    starts = rng.integers(0, len(returns) - BLOCK_DAYS + 1, -(-n // BLOCK_DAYS))
    return returns[(starts[:, None] + np.arange(BLOCK_DAYS)).ravel()[:n]]


def _realised_vol(returns: pd.Series) -> pd.Series:
    """Rolling 21-day realised vol, annualised, in VIX points."""
    return returns.rolling(VOL_WINDOW).std() * np.sqrt(252) * 100


def load_market(start: date, end: date, rng: np.random.Generator) -> Market:
    """Trading days in [start, end] with returns and the prior close's VIX (real where it exists).

    `rng` draws the bootstrap only when part of the period lies outside the real S&P 500 data.
    """
    spx, _, vix = load_arch_series()
    log_ret = np.log(spx["Adj Close"]).diff()
    # Real days: real VIX, and before 2014 the 21-day realised S&P vol.
    real_level = vix.reindex(spx.index).fillna(_realised_vol(log_ret)).ffill().bfill()
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    first_real, last_real = spx.index[0], spx.index[-1]
    calendar = market_calendar(lo - pd.Timedelta(days=WARMUP_DAYS), hi)
    before = calendar[calendar < first_real]
    after = calendar[calendar > last_real]
    # The bootstrap draws the earlier segment first, then the later one, from real returns.
    pool = log_ret.dropna().to_numpy()
    returns = pd.concat(
        [
            pd.Series(_block_bootstrap(pool, len(before), rng), index=before),
            log_ret.fillna(0.0),
            pd.Series(_block_bootstrap(pool, len(after), rng), index=after),
        ]
    )
    synthetic = ~returns.index.isin(spx.index)
    level = pd.Series(
        np.where(synthetic, _realised_vol(returns), real_level.reindex(returns.index)), returns.index
    )
    vix_prev = level.shift(1).bfill().ffill()
    dates = returns.index[(returns.index >= lo) & (returns.index <= hi)]
    if len(dates) == 0:
        raise ValueError(f"no trading days between {start} and {end}")
    # A real day right after synthetic ones has no real previous close: its return is 0 (as the
    # first day of the arch series always was).
    return Market(
        dates=pd.DatetimeIndex(dates),
        spx_return=returns.reindex(dates).to_numpy(),
        vix_prev=vix_prev.reindex(dates).to_numpy(),
        vix_median=float(np.median(vix_prev.reindex(dates).to_numpy())),
        synthetic=synthetic[returns.index.isin(dates)],
    )
