"""The offline default market data: the real S&P 500, NASDAQ and VIX series that ship with `arch`.

Ingest loads it when an export folder brings no `market_daily.csv` and the warehouse has none, so
the calendar and the market-regime features work on real PropReports exports out of the box.
"""

from __future__ import annotations

from pathlib import Path

from riskman.market_data import write_market_daily
from riskman.settings import data_dir


def default_market_file() -> Path:
    """`data/market/market_daily_arch.csv`: every row arch ships, written once (same bytes every time)."""
    path = data_dir() / "market" / "market_daily_arch.csv"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        write_market_daily(partial)
        partial.replace(path)  # never leave half a file where the next run would trust it
    return path
