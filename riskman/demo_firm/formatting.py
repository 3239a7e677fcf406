"""Number and date formatting for the exports, vectorised through unique values."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _via_unique(values: np.ndarray, fmt) -> np.ndarray:
    uniq, inverse = np.unique(np.asarray(values), return_inverse=True)
    return np.array([fmt(v) for v in uniq.tolist()], dtype=object)[inverse]


def plain_money(cents: np.ndarray) -> np.ndarray:
    """`-1234.56` style: summaryByDate, accounts, fills."""
    return _via_unique(cents, lambda c: f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}")


def plain_e4(units: np.ndarray) -> np.ndarray:
    """`-0.2000` style: fills' fee cells, in $0.0001 units."""
    return _via_unique(units, lambda u: f"{'-' if u < 0 else ''}{abs(u) // 10000}.{abs(u) % 10000:04d}")


def paren_money(cents: np.ndarray) -> np.ndarray:
    """`(1,234.56)` / `12,345.00` style of the totalsByDate report."""

    def fmt(c: int) -> str:
        text = f"{abs(c) // 100:,}.{abs(c) % 100:02d}"
        return f"({text})" if c < 0 else text

    return _via_unique(cents, fmt)


def paren_int(values: np.ndarray) -> np.ndarray:
    return _via_unique(values, lambda v: f"{v:,}")


def csv_quote(cells: np.ndarray) -> np.ndarray:
    """RFC-4180: quote the cells that hold a comma (thousands separators)."""
    cells = np.asarray(cells, dtype=object)
    has_comma = np.array([("," in c) for c in cells], dtype=bool) if len(cells) else np.zeros(0, bool)
    out = cells.copy()
    out[has_comma] = np.array([f'"{c}"' for c in cells[has_comma]], dtype=object)
    return out


def join_columns(columns: list[np.ndarray]) -> np.ndarray:
    """Row strings from equally long string columns."""
    return np.array([",".join(row) for row in zip(*columns, strict=True)], dtype=object)


def mdy(dates: pd.DatetimeIndex | pd.Series, pad: bool) -> np.ndarray:
    """`MM/DD/YYYY` (pad) or `M/D/YYYY`."""
    days = np.asarray(pd.DatetimeIndex(dates).values.astype("datetime64[D]").astype(np.int64))

    def fmt(day: int) -> str:
        d = np.datetime64(day, "D").item()
        return f"{d.month:02d}/{d.day:02d}/{d.year}" if pad else f"{d.month}/{d.day}/{d.year}"

    return _via_unique(days, fmt)


def hms(seconds: np.ndarray) -> np.ndarray:
    return _via_unique(seconds, lambda s: f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}")
