"""DriftDetector: every monitored column, firm-wide and per trader, reference window against a
recent window, with the false discovery rate controlled across all the tests (ml.monitoring.drift).

Columns: the numeric features (in their own units, as the risk manager reads them), the
predictions when given, and the label rates. A trader's test runs on its own series in time
order; the firm-wide test on the daily cross-sectional median (one value a day, so serial
dependence is measured the same way).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ml.monitoring.drift import benjamini_hochberg, drift_test, lag1_autocorrelation, neighbour_correlation

FIRM = "firm"


@dataclass(frozen=True)
class Windows:
    reference_start: pd.Timestamp
    reference_end: pd.Timestamp  # inclusive
    current_start: pd.Timestamp
    current_end: pd.Timestamp  # inclusive

    def __post_init__(self) -> None:
        if self.reference_end >= self.current_start:
            raise ValueError("the reference window must end before the current window starts")


def trailing_windows(
    dates: Sequence[pd.Timestamp], end: pd.Timestamp, current_days: int, reference_days: int
):
    """The last `current_days` trading days up to `end`, and up to `reference_days` trading days
    before them (the days are the dates present in the data)."""
    days = pd.DatetimeIndex(sorted(set(pd.to_datetime(dates)))).sort_values()
    days = days[days <= end]
    if len(days) < current_days + 2:
        raise ValueError(f"need at least {current_days + 2} trading days up to {end:%Y-%m-%d}")
    current, reference = days[-current_days:], days[:-current_days][-reference_days:]
    return Windows(reference[0], reference[-1], current[0], current[-1])


def pooled_autocorrelation(frame: pd.DataFrame, columns: Sequence[str], windows: Windows) -> dict[str, float]:
    """Each column's lag-1 autocorrelation over every trader's reference days (neighbouring rows of
    the same trader): a property of the feature's definition (a 60-day window moves slowly), far
    better estimated from the whole firm than from one trader's few weeks."""
    ordered = frame.sort_values(["trader_id", "as_of_date"], kind="mergesort")
    ordered = ordered[
        (ordered["as_of_date"] >= windows.reference_start) & (ordered["as_of_date"] <= windows.reference_end)
    ]
    same_trader = ordered["trader_id"].to_numpy()[1:] == ordered["trader_id"].to_numpy()[:-1]
    result = {}
    for column in columns:
        x = ordered[column].to_numpy(dtype=float)
        before, after = x[:-1][same_trader], x[1:][same_trader]
        result[column] = neighbour_correlation(before, after)
    return result


def _series_tests(
    frame: pd.DataFrame,
    columns: Sequence[str],
    windows: Windows,
    scope: str,
    trader,
    pooled_rho: dict[str, float],
) -> list[dict]:
    dates = frame["as_of_date"]
    in_reference = (dates >= windows.reference_start) & (dates <= windows.reference_end)
    in_current = (dates >= windows.current_start) & (dates <= windows.current_end)
    rows = []
    for column in columns:
        values = frame[column].to_numpy(dtype=float)
        reference = values[in_reference.to_numpy()]
        rho = max(lag1_autocorrelation(reference), pooled_rho.get(column, 0.0))
        test = drift_test(reference, values[in_current.to_numpy()], rho=rho)
        if test is None:
            continue
        rows.append(
            {
                "scope": scope,
                "trader_id": trader,
                "column": column,
                "n_reference": test.n_reference,
                "n_current": test.n_current,
                "effective_reference": test.effective_reference,
                "effective_current": test.effective_current,
                "psi": test.psi,
                "ks": test.ks,
                "p_value": test.p_value,
                "reference_median": float(np.nanmedian(values[in_reference.to_numpy()])),
                "current_median": float(np.nanmedian(values[in_current.to_numpy()])),
            }
        )
    return rows


def detect_drift(
    frame: pd.DataFrame, columns: Sequence[str], windows: Windows, fdr: float = 0.05
) -> pd.DataFrame:
    """One row per testable scope × column, with `flagged` after Benjamini–Hochberg at `fdr`.

    frame: trader_id, as_of_date (datetime) and the columns, one row per trader-day; with an
    `is_active` column only the days the trader traded count (an idle day's zeros are absence,
    which the missing-data alert reports, not a change of behaviour).
    """
    if "is_active" in frame:
        frame = frame[frame["is_active"].astype(bool)]
    ordered = frame.sort_values(["trader_id", "as_of_date"], kind="mergesort")
    firm = ordered.groupby("as_of_date", sort=True)[list(columns)].median().reset_index()
    pooled = pooled_autocorrelation(ordered, columns, windows)
    # The firm's daily median jumps as the set of active traders changes, which hides how slowly
    # the feature itself moves: the traders' pooled persistence counts for it too.
    rows = _series_tests(firm, columns, windows, FIRM, None, pooled)
    for trader, days in ordered.groupby("trader_id", sort=True):
        rows += _series_tests(days, columns, windows, "trader", trader, pooled)
    result = pd.DataFrame(rows)
    if result.empty:
        return result.assign(flagged=pd.Series(dtype=bool))
    result["flagged"] = benjamini_hochberg(result["p_value"].to_numpy(), fdr)
    return result
