"""Real market data from `arch.data`: the trading calendar, S&P 500 returns and VIX."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

LOOKBACK_DAYS = 366


@dataclass(frozen=True)
class Market:
    """The demo period's trading days with the market state the traders live in."""

    dates: pd.DatetimeIndex
    spx_return: np.ndarray  # close-to-close log return of the day
    vix_prev: np.ndarray  # VIX at the previous close (known before the day starts)
    vix_median: float


def _load_arch() -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    from arch.data import nasdaq, sp500, vix

    return sp500.load(), nasdaq.load(), vix.load()["vix"]


def load_market(start: date, end: date) -> Market:
    """The S&P 500 trading days in [start, end] with returns and the prior close's VIX."""
    spx, _, vix = _load_arch()
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


def write_market_daily(path: Path, start: date, end: date) -> int:
    """`market_daily.csv`: SPX, COMP (NASDAQ) and VIX from a year before `start` to `end`."""
    spx, comp, vix = _load_arch()
    lo, hi = pd.Timestamp(start) - pd.Timedelta(days=LOOKBACK_DAYS), pd.Timestamp(end)
    frames = []
    for symbol, frame in (("SPX", spx), ("COMP", comp)):
        part = frame[(frame.index >= lo) & (frame.index <= hi)].copy()
        part.insert(0, "Symbol", symbol)
        part["Volume"] = part["Volume"].astype("int64")
        frames.append(part)
    # The arch VIX series carries NaN on exchange holidays: a day without a close is no row.
    vix = vix.dropna()
    vix_part = vix[(vix.index >= lo) & (vix.index <= hi)].to_frame("Close")
    vix_part.insert(0, "Symbol", "VIX")
    frames.append(vix_part)
    out = pd.concat(frames)
    out.index.name = "Date"
    out = out.reset_index()
    out["Date"] = out["Date"].dt.strftime("%Y-%m-%d")
    out = out.sort_values(["Date", "Symbol"], kind="stable")
    columns = ["Date", "Symbol", "Open", "High", "Low", "Close", "Adj Close", "Volume"]
    out = out.reindex(columns=columns)
    out["Volume"] = out["Volume"].astype("Int64")
    out.to_csv(path, index=False, float_format="%.4f", lineterminator="\n")
    return len(out)
