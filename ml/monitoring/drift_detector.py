"""DriftDetector: every monitored column, firm-wide and per trader, reference window against a
recent window, with the false discovery rate controlled across all the tests (ml.monitoring.drift).

Columns: the numeric features (in their own units, as the risk manager reads them), the
predictions when given, and the label rates. A trader's test runs on its own series in time
order; the firm-wide test on the daily cross-sectional median (one value a day, so serial
dependence is measured the same way). A column every trader shares on every day (the market's
volatility, the firm's median P&L) is tested firm-wide only: per trader it would repeat the same
test on the same values thirty times over, and a market change would read as every trader's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtri
from scipy.stats import rankdata

from ml.monitoring.drift import (
    MIN_OBSERVATIONS,
    attainable_p_value,
    benjamini_hochberg,
    drift_test,
    tarone_screen,
    window_inflation,
)

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


def _pooled_acf(x: np.ndarray, traders: np.ndarray, max_lag: int) -> np.ndarray:
    """Autocorrelations at lags 1..max_lag of values already centred per trader, over the pairs of
    rows `lag` apart that belong to the same trader and are both known."""
    out = np.zeros(max_lag)
    for lag in range(1, max_lag + 1):
        same = traders[lag:] == traders[:-lag]
        before, after = x[:-lag][same], x[lag:][same]
        known = np.isfinite(before) & np.isfinite(after)
        before, after = before[known], after[known]
        scale = np.sqrt(float(before @ before) * float(after @ after))
        out[lag - 1] = float(before @ after) / scale if len(before) > 2 and scale > 0 else 0.0
    return out


def _centred(values: pd.Series, groups: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The values around their group's mean, and their absolute deviations from the group's
    median around those deviations' mean."""
    by_group = values.groupby(groups)
    level = values - by_group.transform("mean")
    spread = (values - by_group.transform("median")).abs()
    return level.to_numpy(), (spread - spread.groupby(groups).transform("mean")).to_numpy()


def normal_scores(values: pd.Series, groups: pd.Series) -> pd.Series:
    """Each value's rank within its group as a standard normal quantile, Φ⁻¹((rank − ½)/n);
    unknown values stay unknown."""
    ranks = values.groupby(groups).rank(method="average")
    known = values.notna().groupby(groups).transform("sum")
    return pd.Series(ndtri((ranks - 0.5) / known), index=values.index)


def series_inflation(values: np.ndarray, groups: np.ndarray | None, window: int) -> float:
    """The variance inflation of a `window`-day test (drift.window_inflation) of rows in time
    order within each group: the largest of that of the values and of their absolute deviations
    (a distribution test also feels clustered volatility, which leaves the values themselves
    uncorrelated), each on the values and on their normal scores. PSI on quantile bins and KS
    depend on the values' ranks only, so it is the ranks' dependence that inflates them; a
    heavy-tailed column's correlations are dominated by its few extreme days and hide it (a
    day's volume against its trailing 20-day norm: one huge day depresses the next 20 ratios).
    `groups` None: one series."""
    values = np.asarray(values, dtype=float)
    if groups is None:  # the per-test path, thousands of times a run: numpy only
        parts = [part for x in (values, _one_series_scores(values)) for part in _one_series_centred(x)]
        groups = np.zeros(len(values))
    else:
        series, group = pd.Series(values), pd.Series(groups)
        parts = [*_centred(series, group), *_centred(normal_scores(series, group), group)]
    max_lag = max(window - 1, 1)
    return max(window_inflation(_pooled_acf(part, groups, max_lag), window) for part in parts)


def _one_series_scores(values: np.ndarray) -> np.ndarray:
    """normal_scores of one series."""
    scores = np.full(len(values), np.nan)
    known = np.isfinite(values)
    scores[known] = ndtri((rankdata(values[known]) - 0.5) / known.sum())
    return scores


def _one_series_centred(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """_centred of one series."""
    spread = np.abs(values - np.nanmedian(values))
    return values - np.nanmean(values), spread - np.nanmean(spread)


def pooled_inflation(
    frame: pd.DataFrame, columns: Sequence[str], windows: Windows, window: int
) -> dict[str, float]:
    """Each column's variance inflation over every trader's reference days, each trader's values
    centred on its own mean and median (traders differ in level, which pooled raw values would
    read as persistence). Persistence is a property of the feature's definition (a 60-day window
    moves slowly), far better estimated from the whole firm than from one trader's months; a
    trader whose own series is more persistent still counts its own (_series_tests)."""
    ordered = frame.sort_values(["trader_id", "as_of_date"], kind="mergesort")
    ordered = ordered[
        (ordered["as_of_date"] >= windows.reference_start) & (ordered["as_of_date"] <= windows.reference_end)
    ]
    traders = ordered["trader_id"].to_numpy()
    return {
        column: series_inflation(ordered[column].to_numpy(dtype=float), traders, window) for column in columns
    }


@dataclass(frozen=True)
class Series:
    """One scope's monitored values in time order, as arrays (read once, tested many times)."""

    scope: str
    trader: str | None
    dates: np.ndarray  # datetime64, ascending
    values: np.ndarray  # rows × columns, float


def series_of(frame: pd.DataFrame, columns: Sequence[str], scope: str, trader) -> Series:
    return Series(
        scope,
        trader,
        frame["as_of_date"].to_numpy(dtype="datetime64[ns]"),
        frame[list(columns)].to_numpy(dtype=float, na_value=np.nan),
    )


def _between(dates: np.ndarray, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    return (dates >= start.to_datetime64()) & (dates <= end.to_datetime64())


def _series_tests(
    series: Series,
    columns: Sequence[str],
    windows: Windows,
    pooled: dict[str, float],
    window: int,
) -> list[dict]:
    in_reference = _between(series.dates, windows.reference_start, windows.reference_end)
    in_current = _between(series.dates, windows.current_start, windows.current_end)
    if in_reference.sum() < MIN_OBSERVATIONS or in_current.sum() < MIN_OBSERVATIONS:
        return []
    rows = []
    for index, column in enumerate(columns):
        reference = series.values[in_reference, index]
        current = series.values[in_current, index]
        if min(np.isfinite(reference).sum(), np.isfinite(current).sum()) < MIN_OBSERVATIONS:
            continue  # no test (drift_test would refuse it too)
        # The pooled inflation is the better estimate; a trader more persistent than most (one
        # whose volume wanders for months) still counts its own.
        inflation = max(series_inflation(reference, None, window), pooled.get(column, 1.0))
        test = drift_test(reference, current, inflation=inflation)
        if test is None:
            continue
        rows.append(
            {
                "scope": series.scope,
                "trader_id": series.trader,
                "column": column,
                "n_reference": test.n_reference,
                "n_current": test.n_current,
                "effective_reference": test.effective_reference,
                "effective_current": test.effective_current,
                "psi": test.psi,
                "ks": test.ks,
                "p_value": test.p_value,
                "attainable_p_value": attainable_p_value(test),
                "reference_median": float(np.nanmedian(reference)),
                "current_median": float(np.nanmedian(current)),
            }
        )
    return rows


def active_days(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["is_active"].astype(bool)] if "is_active" in frame else frame


def firm_medians(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The firm-wide series: each day's median across the traders who traded that day."""
    return active_days(frame).groupby("as_of_date", sort=True)[list(columns)].median().reset_index()


def shared_columns(frame: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    """The columns on which, every day, all the traders present have the same value (or none),
    and some day has two traders with one (a firm of one trader shares nothing)."""
    by_day = frame.groupby("as_of_date")[list(columns)]
    distinct, known = by_day.nunique(), by_day.count()
    return [column for column in columns if distinct[column].max() <= 1 and known[column].max() >= 2]


def detect_drift(
    frame: pd.DataFrame, columns: Sequence[str], windows: Windows, fdr: float = 0.05
) -> pd.DataFrame:
    """One row per testable scope × column, with `counted` (Tarone's screen: the test could reach
    significance; drift.tarone_screen) and `flagged` after Benjamini–Hochberg at `fdr` over the
    counted tests.

    frame: trader_id, as_of_date (datetime) and the columns, one row per trader-day; with an
    `is_active` column only the days the trader traded count (an idle day's zeros are absence,
    which the missing-data alert reports, not a change of behaviour).
    """
    ordered = active_days(frame).sort_values(["trader_id", "as_of_date"], kind="mergesort")
    firm = firm_medians(ordered, columns)
    days = firm["as_of_date"]
    window = int(((days >= windows.current_start) & (days <= windows.current_end)).sum())
    window = max(window, 2)
    pooled = pooled_inflation(ordered, columns, windows, window)
    # The firm's daily median jumps as the set of active traders changes, which hides how slowly
    # the feature itself moves: the traders' pooled persistence counts for it too.
    shared = set(shared_columns(ordered, columns))
    per_trader = [column for column in columns if column not in shared]
    rows = _series_tests(series_of(firm, columns, FIRM, None), columns, windows, pooled, window)
    for trader, part in ordered.groupby("trader_id"):
        series = series_of(part, per_trader, "trader", trader)
        rows += _series_tests(series, per_trader, windows, pooled, window)
    result = pd.DataFrame(rows)
    if result.empty:
        return result.assign(counted=pd.Series(dtype=bool), flagged=pd.Series(dtype=bool))
    result["counted"] = tarone_screen(result["attainable_p_value"].to_numpy(), fdr)
    result["flagged"] = False
    counted = result["counted"].to_numpy()
    result.loc[counted, "flagged"] = benjamini_hochberg(result.loc[counted, "p_value"].to_numpy(), fdr)
    return result
