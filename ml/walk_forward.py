"""Splits of a trader-day panel on dates, never rows: walk-forward folds and combinatorial purged CV.

A row's features are known at the close of ``as_of_date``; its label describes ``target_date`` (the next
trading day; NaT while unknown). All traders share the calendar, so a date is wholly in one part. A row
may only train for a window if its label was known before the window starts: splits purge rows whose
label reaches into a later part, and embargo the dates just before it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

# Anything pandas reads as dates: datetime64 arrays, lists of date or Timestamp, Series, Index.
DateArray: TypeAlias = "npt.ArrayLike | pd.Series | pd.Index"

_DAY = np.timedelta64(1, "D")


@dataclass(frozen=True, eq=False)  # eq=False: field-wise == on arrays is ambiguous, and unhashable
class Fold:
    """One walk-forward step: sorted positional row indices of each part and the as_of_dates each spans."""

    fold_id: int
    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray
    train_start: date
    train_end: date
    validation_start: date
    validation_end: date
    test_start: date
    test_end: date


class WalkForwardSplit:
    """Walk-forward folds on calendar days of as_of_date: train, validate, then test one retrain step.

    The first fold trains on [first, first + initial_train_days), validates on the next validation_days
    and tests on the next step_days; each next fold moves validation and test on by step_days. Training
    expands from the first date, or (expanding=False) keeps the last max(initial_train_days,
    max_train_days) days. Training rows whose target_date reaches validation, and validation rows whose
    target_date reaches test, are purged; the last embargo_days panel dates before each window are
    dropped too. Rows without a label are only ever tested.
    """

    def __init__(
        self,
        initial_train_days: int = 365,
        validation_days: int = 30,
        step_days: int = 7,
        embargo_days: int = 1,
        expanding: bool = True,
        max_train_days: int | None = None,
    ) -> None:
        self.initial_train_days = initial_train_days
        self.validation_days = validation_days
        self.step_days = step_days
        self.embargo_days = embargo_days
        self.expanding = expanding
        self.max_train_days = max_train_days

    def split(self, as_of_dates: DateArray, target_dates: DateArray) -> Iterator[Fold]:
        """The folds in time order; bad parameters or dates raise ValueError here, not at the first fold."""
        self._check_params()
        as_of, target = _panel(as_of_dates, target_dates)
        return self._folds(as_of, target)

    def get_n_splits(self, as_of_dates: DateArray, target_dates: DateArray) -> int:
        """How many folds split yields on this panel."""
        return sum(1 for _ in self.split(as_of_dates, target_dates))

    def _check_params(self) -> None:
        _check_int("initial_train_days", self.initial_train_days, 1)
        _check_int("validation_days", self.validation_days, 1)
        _check_int("step_days", self.step_days, 1)
        _check_embargo(self.embargo_days)
        if not isinstance(self.expanding, bool | np.bool_):
            raise ValueError(f"expanding must be a bool, got {self.expanding!r}")
        if self.max_train_days is not None:
            _check_int("max_train_days", self.max_train_days, 1)
            # Silently ignoring it would train on more history than the caller asked for.
            if self.expanding:
                raise ValueError("max_train_days bounds a rolling window: pass expanding=False with it")

    def _folds(self, as_of: np.ndarray, target: np.ndarray) -> Iterator[Fold]:
        if as_of.size == 0:
            return
        dates = np.unique(as_of)
        first, last = dates[0], dates[-1]
        labelled = ~np.isnat(target)
        window = None if self.expanding else max(self.initial_train_days, self.max_train_days or 0)
        fold_id = 0
        validation_start = first + self.initial_train_days * _DAY
        # The last test window may be partial; none starts after the panel ends.
        while (test_start := validation_start + self.validation_days * _DAY) <= last:
            test_stop = test_start + self.step_days * _DAY
            train_from = first if window is None else validation_start - window * _DAY
            in_train = (as_of >= train_from) & (as_of < validation_start)
            in_validation = (as_of >= validation_start) & (as_of < test_start)
            # NaT compares False, so a purge alone would let unlabelled rows through: `labelled` stops them.
            train_purged = target >= validation_start
            validation_purged = target >= test_start
            train_embargoed = np.isin(as_of, _last_dates_before(dates, validation_start, self.embargo_days))
            validation_embargoed = np.isin(as_of, _last_dates_before(dates, test_start, self.embargo_days))
            train = np.flatnonzero(in_train & labelled & ~train_purged & ~train_embargoed)
            validation = np.flatnonzero(in_validation & labelled & ~validation_purged & ~validation_embargoed)
            test = np.flatnonzero((as_of >= test_start) & (as_of < test_stop))
            # A window can hold no rows (a holiday gap, a step inside a weekend): nothing to fit or score.
            if train.size and validation.size and test.size:
                yield Fold(
                    fold_id=fold_id,
                    train=_frozen(train),
                    validation=_frozen(validation),
                    test=_frozen(test),
                    train_start=_date(as_of[train].min()),
                    train_end=_date(as_of[train].max()),
                    validation_start=_date(as_of[validation].min()),
                    validation_end=_date(as_of[validation].max()),
                    test_start=_date(as_of[test].min()),
                    test_end=_date(as_of[test].max()),
                )
                fold_id += 1
            validation_start += self.step_days * _DAY


class CombinatorialPurgedSplit:
    """Combinatorial purged cross-validation (López de Prado), for model selection only.

    The distinct as_of_dates are cut into n_groups contiguous groups of (nearly) equal numbers of dates;
    every combination of n_test_groups groups is one test set. Training is every other labelled row,
    except rows whose [as_of_date, target_date] overlaps a test group's date span (purged) and rows on the
    embargo_days dates right after each test group (embargoed). Test holds every row of its groups,
    labelled or not, as in WalkForwardSplit: drop unlabelled rows before scoring.
    """

    def __init__(self, n_groups: int = 6, n_test_groups: int = 2, embargo_days: int = 1) -> None:
        self.n_groups = n_groups
        self.n_test_groups = n_test_groups
        self.embargo_days = embargo_days

    @property
    def n_paths(self) -> int:
        """The number of full backtest paths the splits' test groups assemble into: k * C(n, k) / n."""
        self._check_params()
        # Each group is tested in k * C(n, k) / n = C(n - 1, k - 1) splits, so the division is exact.
        return self.n_test_groups * math.comb(self.n_groups, self.n_test_groups) // self.n_groups

    def get_n_splits(
        self, as_of_dates: DateArray | None = None, target_dates: DateArray | None = None
    ) -> int:
        """C(n_groups, n_test_groups); the dates are not needed (accepted for sklearn's signature)."""
        self._check_params()
        return math.comb(self.n_groups, self.n_test_groups)

    def split(
        self, as_of_dates: DateArray, target_dates: DateArray
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(train, test) positional row indices, one pair per combination of test groups, in lexical order."""
        self._check_params()
        as_of, target = _panel(as_of_dates, target_dates)
        dates = np.unique(as_of)
        if dates.size < self.n_groups:
            raise ValueError(f"{dates.size} distinct as_of_dates cannot be cut into {self.n_groups} groups")
        return self._splits(as_of, target, dates)

    def _check_params(self) -> None:
        _check_int("n_groups", self.n_groups, 2)
        _check_int("n_test_groups", self.n_test_groups, 1)
        if self.n_test_groups >= self.n_groups:
            raise ValueError(
                f"n_test_groups ({self.n_test_groups}) must be below n_groups ({self.n_groups}): "
                "some group has to train"
            )
        _check_embargo(self.embargo_days)

    def _splits(
        self, as_of: np.ndarray, target: np.ndarray, dates: np.ndarray
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        groups = np.array_split(dates, self.n_groups)
        labelled = ~np.isnat(target)
        for test_groups in itertools.combinations(range(self.n_groups), self.n_test_groups):
            in_test = np.zeros(as_of.shape, dtype=bool)
            purged = np.zeros(as_of.shape, dtype=bool)
            embargoed = np.zeros(as_of.shape, dtype=bool)
            for g in test_groups:
                start, end = groups[g][0], groups[g][-1]
                in_test |= (as_of >= start) & (as_of <= end)
                purged |= (as_of <= end) & (target >= start)
                # A test label describes the day after the group; features at that close already know it.
                after = dates[np.searchsorted(dates, end, side="right") :][: self.embargo_days]
                embargoed |= np.isin(as_of, after)
            train = labelled & ~in_test & ~purged & ~embargoed
            yield _frozen(np.flatnonzero(train)), _frozen(np.flatnonzero(in_test))


def _check_int(name: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def _check_embargo(embargo_days: object) -> None:
    if isinstance(embargo_days, bool) or not isinstance(embargo_days, int | np.integer) or embargo_days < 1:
        raise ValueError(
            f"embargo_days must be an integer >= 1 (a label reaches one trading day past its as_of_date), "
            f"got {embargo_days!r}"
        )


def _as_days(values: DateArray, name: str) -> np.ndarray:
    """The values as a 1-D datetime64[D] array, NaT kept; times of day dropped, time zones as wall time."""
    try:
        index = pd.DatetimeIndex(pd.to_datetime(pd.Index(values)))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a 1-D array of dates: {exc}") from exc
    if index.tz is not None:
        index = index.tz_localize(None)
    return index.normalize().to_numpy().astype("datetime64[D]")


def _panel(as_of_dates: DateArray, target_dates: DateArray) -> tuple[np.ndarray, np.ndarray]:
    as_of = _as_days(as_of_dates, "as_of_dates")
    target = _as_days(target_dates, "target_dates")
    if as_of.shape != target.shape:
        raise ValueError(f"as_of_dates has {as_of.size} rows but target_dates has {target.size}")
    if np.isnat(as_of).any():
        raise ValueError("as_of_dates contains NaT: every row needs the close its features are known at")
    labelled = ~np.isnat(target)
    # A label on or before its own as_of_date would leak through every purge below.
    if (target[labelled] <= as_of[labelled]).any():
        raise ValueError("target_date must be after as_of_date on every labelled row")
    return as_of, target


def _last_dates_before(dates: np.ndarray, boundary: np.datetime64, count: int) -> np.ndarray:
    """The last `count` of the sorted distinct `dates` before `boundary`."""
    stop = np.searchsorted(dates, boundary, side="left")
    return dates[max(stop - count, 0) : stop]


def _frozen(indices: np.ndarray) -> np.ndarray:
    # A frozen Fold should not hand out indices a caller can rewrite in place.
    indices.setflags(write=False)
    return indices


def _date(value: np.datetime64) -> date:
    return pd.Timestamp(value).date()
