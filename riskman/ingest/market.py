"""The offline default market data: the real S&P 500, NASDAQ and VIX series that ship with `arch`.

Ingest loads it when an export folder brings no `market_daily.csv` and the warehouse has none, so
the calendar and the market-regime features work on real PropReports exports out of the box.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from riskman.demo_firm.market import write_market_daily
from riskman.settings import data_dir

# arch ships S&P 500 / NASDAQ for 1999–2018 and VIX for 2014–early 2019.
ARCH_SERIES_START, ARCH_SERIES_END = date(2000, 1, 1), date(2019, 12, 31)


def default_market_file() -> Path:
    """`data/market/market_daily_arch.csv`, written once (same bytes every time)."""
    path = data_dir() / "market" / "market_daily_arch.csv"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        write_market_daily(partial, ARCH_SERIES_START, ARCH_SERIES_END)
        partial.replace(path)  # never leave half a file where the next run would trust it
    return path
