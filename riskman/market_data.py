"""The real daily market series that ship with `arch`, offline: S&P 500, NASDAQ and VIX.

Two users: ingest loads them as the default market data when exports bring none, and the demo
firm generator drives its traders with them. Coverage: S&P 500 and NASDAQ 1999–2018, VIX
2014–early 2019; outside it, there is simply no row.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

MARKET_DAILY_COLUMNS = ["Date", "Symbol", "Open", "High", "Low", "Close", "Adj Close", "Volume"]


def load_arch_series() -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """S&P 500 and NASDAQ daily bars and the VIX close (NaN on the exchange holidays it carries)."""
    from arch.data import nasdaq, sp500, vix

    return sp500.load(), nasdaq.load(), vix.load()["vix"]


def _within(frame: pd.DataFrame | pd.Series, first: date | None, last: date | None):
    keep = pd.Series(True, index=frame.index)
    if first is not None:
        keep &= frame.index >= pd.Timestamp(first)
    if last is not None:
        keep &= frame.index <= pd.Timestamp(last)
    return frame[keep.to_numpy()]


def market_daily_frame(first: date | None = None, last: date | None = None) -> pd.DataFrame:
    """`market_daily.csv` rows (SPX, COMP, VIX) dated within [first, last]; None means open-ended."""
    spx, comp, vix = load_arch_series()
    frames = []
    for symbol, bars in (("SPX", spx), ("COMP", comp)):
        part = _within(bars, first, last).copy()
        part.insert(0, "Symbol", symbol)
        part["Volume"] = part["Volume"].astype("int64")
        frames.append(part)
    # A day without a VIX close is no row, not an empty cell.
    vix_part = _within(vix.dropna(), first, last).to_frame("Close")
    vix_part.insert(0, "Symbol", "VIX")
    frames.append(vix_part)
    out = pd.concat(frames)
    out.index.name = "Date"
    out = out.reset_index()
    out["Date"] = out["Date"].dt.strftime("%Y-%m-%d")
    out = out.sort_values(["Date", "Symbol"], kind="stable").reindex(columns=MARKET_DAILY_COLUMNS)
    out["Volume"] = out["Volume"].astype("Int64")
    return out.reset_index(drop=True)


def write_market_daily(path: Path, first: date | None = None, last: date | None = None) -> int:
    """Write the rows of `market_daily_frame(first, last)` to `path`; return how many."""
    frame = market_daily_frame(first, last)
    frame.to_csv(path, index=False, float_format="%.4f", lineterminator="\n")
    return len(frame)
