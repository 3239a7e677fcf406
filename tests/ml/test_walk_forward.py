"""Walk-forward folds and combinatorial purged CV on a synthetic panel, checked against their definitions."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from datetime import date

import numpy as np
import pandas as pd
import pytest

from ml.walk_forward import CombinatorialPurgedSplit, Fold, WalkForwardSplit

DAY = pd.Timedelta(days=1)


def _make_panel(n_traders: int = 4, start: str = "2023-01-02", end: str = "2024-12-31") -> pd.DataFrame:
    """Trader-days on business days, target_date = that trader's next panel date, some labels missing."""
    rng = np.random.default_rng(7)
    calendar = pd.bdate_range(start, end)
    frames = []
    for trader in range(n_traders):
        # Traders miss days, so a row's label can reach several days ahead: over a window boundary, and
        # past an embargo of one date. That is what the purge is for.
        days = calendar[rng.random(len(calendar)) > 0.15]
        target = pd.Series(days).shift(-1)
        target[rng.random(len(days)) < 0.03] = pd.NaT
        frames.append(pd.DataFrame({"trader_id": trader, "as_of_date": days, "target_date": target}))
    panel = pd.concat(frames, ignore_index=True)
    # Shuffled: splits are positional and must not lean on the row order.
    return panel.sample(frac=1.0, random_state=3).reset_index(drop=True)


PANEL = _make_panel()
AS_OF = PANEL["as_of_date"]
TARGET = PANEL["target_date"]
DATES = np.sort(AS_OF.unique())
FIRST = AS_OF.min()

WALK_FORWARD_CASES = [
    {},
    {"embargo_days": 3},
    {"expanding": False},
    {"initial_train_days": 60, "validation_days": 10, "step_days": 5},
    {
        "initial_train_days": 90,
        "validation_days": 10,
        "step_days": 1,
        "expanding": False,
        "max_train_days": 120,
    },
]


def _folds(**params) -> list[Fold]:
    return list(WalkForwardSplit(**params).split(AS_OF, TARGET))


def _ts(day: date) -> pd.Timestamp:
    return pd.Timestamp(day)


def _dates_in(start: pd.Timestamp | None = None, stop: pd.Timestamp | None = None) -> np.ndarray:
    """The distinct panel dates in [start, stop)."""
    dates = DATES
    keep = np.ones(dates.size, dtype=bool)
    if start is not None:
        keep &= dates >= start
    if stop is not None:
        keep &= dates < stop
    return dates[keep]


@pytest.mark.parametrize("params", WALK_FORWARD_CASES)
def test_walk_forward_never_trains_on_test_dates(params):
    folds = _folds(**params)
    assert len(folds) > 10
    for fold in folds:
        validation_start, test_start = _ts(fold.validation_start), _ts(fold.test_start)
        assert (AS_OF[fold.train] < validation_start).all()
        assert (AS_OF[fold.validation] < test_start).all()
        assert (AS_OF[fold.test] >= test_start).all()
        # The labels: no training label reaches validation, no validation label reaches test.
        assert (TARGET[fold.train] < validation_start).all()
        assert (TARGET[fold.validation] < test_start).all()
        assert not set(fold.train) & set(fold.validation)
        assert not (set(fold.train) | set(fold.validation)) & set(fold.test)


@pytest.mark.parametrize("embargo_days", [1, 3, 5])
def test_embargoed_dates_are_never_in_training_or_validation(embargo_days):
    folds = _folds(initial_train_days=120, validation_days=20, embargo_days=embargo_days)
    assert folds
    for fold in folds:
        train_dates = set(AS_OF[fold.train])
        validation_dates = set(AS_OF[fold.validation])
        before_validation = _dates_in(stop=_ts(fold.validation_start))
        before_test = _dates_in(stop=_ts(fold.test_start))
        assert not train_dates & set(before_validation[-embargo_days:])
        assert not validation_dates & set(before_test[-embargo_days:])
        # ...and no more than those: training and validation run up to the date before the embargo.
        assert _ts(fold.train_end) == before_validation[-embargo_days - 1]
        assert _ts(fold.validation_end) == before_test[-embargo_days - 1]


@pytest.mark.parametrize("params", WALK_FORWARD_CASES)
def test_unlabelled_rows_are_tested_but_never_trained_or_validated(params):
    unlabelled = TARGET.isna().to_numpy()
    tested = []
    for fold in _folds(**params):
        assert not unlabelled[fold.train].any()
        assert not unlabelled[fold.validation].any()
        # Test is every row of its window, labelled or not.
        window = AS_OF.between(_ts(fold.test_start), _ts(fold.test_end))
        np.testing.assert_array_equal(fold.test, np.flatnonzero(window))
        tested.extend(fold.test)
    assert unlabelled[tested].sum() > 0


def test_default_windows_are_365_30_and_7_calendar_days_and_training_expands():
    folds = _folds()
    assert [fold.fold_id for fold in folds] == list(range(len(folds)))
    for k, fold in enumerate(folds):
        validation_start = FIRST + (365 + 7 * k) * DAY
        test_start = validation_start + 30 * DAY
        test_stop = test_start + 7 * DAY
        assert AS_OF[fold.train].between(FIRST, validation_start - DAY).all()
        assert AS_OF[fold.validation].between(validation_start, test_start - DAY).all()
        assert AS_OF[fold.test].between(test_start, test_stop - DAY).all()
        assert _ts(fold.train_start) == FIRST
        assert _ts(fold.validation_start) == _dates_in(validation_start)[0]
        assert _ts(fold.test_start) == _dates_in(test_start)[0]
        assert _ts(fold.test_end) == _dates_in(stop=test_stop)[-1]
    # The first training span: the first 365 calendar days less the one embargoed date.
    assert _ts(folds[0].train_end) == _dates_in(stop=FIRST + 365 * DAY)[-2]
    sizes = [fold.train.size for fold in folds]
    assert all(later > earlier for earlier, later in itertools.pairwise(sizes))


@pytest.mark.parametrize(("max_train_days", "window"), [(None, 365), (500, 500), (100, 365)])
def test_rolling_window_keeps_the_training_span_bounded(max_train_days, window):
    rolling = _folds(expanding=False, max_train_days=max_train_days)
    expanding = _folds()
    assert len(rolling) == len(expanding)
    for k, (fold, grown) in enumerate(zip(rolling, expanding, strict=True)):
        window_start = FIRST + (365 + 7 * k - window) * DAY
        assert (AS_OF[fold.train] >= window_start).all()
        assert (_ts(fold.train_end) - _ts(fold.train_start)).days < window
        assert _ts(fold.train_start) == _dates_in(window_start)[0]
        # The same fold, less the old history: nothing rolling trains on is new.
        assert set(fold.train) <= set(grown.train)
    assert _ts(rolling[0].train_start) == FIRST
    assert _ts(rolling[-1].train_start) > FIRST


@pytest.mark.parametrize("params", WALK_FORWARD_CASES)
def test_test_windows_tile_the_dates_after_the_initial_period(params):
    splitter = WalkForwardSplit(**params)
    folds = list(splitter.split(AS_OF, TARGET))
    first_test = FIRST + (splitter.initial_train_days + splitter.validation_days) * DAY
    test_dates = np.concatenate([np.sort(AS_OF[fold.test].unique()) for fold in folds])
    # In order, each date once, none missing: no gap, no overlap, up to a last (maybe partial) window.
    np.testing.assert_array_equal(test_dates, _dates_in(first_test))
    tested = np.concatenate([fold.test for fold in folds])
    assert np.unique(tested).size == tested.size
    assert set(tested) == set(np.flatnonzero(AS_OF.ge(first_test)))
    assert splitter.get_n_splits(AS_OF, TARGET) == len(folds)


def test_split_reads_dates_as_datetime64_date_objects_or_timestamps():
    expected = _folds(initial_train_days=200)
    as_dates = [day.date() for day in AS_OF]
    with_none = [None if pd.isna(day) else day.date() for day in TARGET]
    for as_of, target in [
        (as_dates, with_none),
        (AS_OF.to_numpy(), TARGET.to_numpy()),
        (list(AS_OF), TARGET),
        # A zone-aware date is its wall date: Tokyo's midnight is not read as the UTC day before.
        (AS_OF.dt.tz_localize("Asia/Tokyo"), TARGET.dt.tz_localize("Asia/Tokyo")),
    ]:
        folds = list(WalkForwardSplit(initial_train_days=200).split(as_of, target))
        assert len(folds) == len(expected)
        for fold, same in zip(folds, expected, strict=True):
            np.testing.assert_array_equal(fold.train, same.train)
            np.testing.assert_array_equal(fold.validation, same.validation)
            np.testing.assert_array_equal(fold.test, same.test)
            assert fold.test_end == same.test_end


@pytest.mark.parametrize("embargo_days", [0, -1])
def test_embargo_below_one_day_raises(embargo_days):
    # At split itself, not at the first fold: a lazy error would surface far from the mistake.
    with pytest.raises(ValueError, match=r"embargo_days must be an integer >= 1 \(a label reaches one"):
        WalkForwardSplit(embargo_days=embargo_days).split(AS_OF, TARGET)
    with pytest.raises(ValueError, match="embargo_days must be an integer >= 1"):
        CombinatorialPurgedSplit(embargo_days=embargo_days).split(AS_OF, TARGET)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"step_days": 0}, "step_days must be an integer >= 1"),
        ({"validation_days": 2.5}, "validation_days must be an integer >= 1"),
        ({"max_train_days": 400}, "pass expanding=False"),
    ],
)
def test_bad_walk_forward_parameters_raise(params, message):
    with pytest.raises(ValueError, match=message):
        WalkForwardSplit(**params).split(AS_OF, TARGET)


def test_a_label_not_after_its_as_of_date_raises():
    with pytest.raises(ValueError, match="target_date must be after as_of_date"):
        WalkForwardSplit().split(AS_OF, AS_OF)


# Combinatorial purged CV, against a plain-Python reading of the definition.


def _groups(n_groups: int) -> list[list[pd.Timestamp]]:
    """The distinct dates in n_groups contiguous runs whose sizes differ by at most one."""
    dates = list(DATES)
    size, extra = divmod(len(dates), n_groups)
    groups, start = [], 0
    for g in range(n_groups):
        stop = start + size + (g < extra)
        groups.append(dates[start:stop])
        start = stop
    return groups


def _reference_split(n_groups: int, n_test_groups: int, embargo_days: int) -> list[tuple[set, set]]:
    dates = list(DATES)
    groups = _groups(n_groups)
    rows = list(zip(AS_OF, TARGET, strict=True))
    splits = []
    for combo in itertools.combinations(range(n_groups), n_test_groups):
        spans = [(groups[g][0], groups[g][-1]) for g in combo]
        embargoed = set()
        for _, end in spans:
            embargoed.update(dates[dates.index(end) + 1 :][:embargo_days])
        test = {i for i, (a, _) in enumerate(rows) if any(s <= a <= e for s, e in spans)}
        train = {
            i
            for i, (a, t) in enumerate(rows)
            if i not in test
            and not pd.isna(t)
            and not any(a <= e and t >= s for s, e in spans)
            and a not in embargoed
        }
        splits.append((train, test))
    return splits


def test_cpcv_yields_one_split_per_combination_of_groups():
    splitter = CombinatorialPurgedSplit()
    assert splitter.get_n_splits() == math.comb(6, 2) == 15
    assert len(list(splitter.split(AS_OF, TARGET))) == 15
    assert len(list(CombinatorialPurgedSplit(n_groups=5, n_test_groups=1).split(AS_OF, TARGET))) == 5


def test_cpcv_tests_each_date_group_exactly_c_5_1_times():
    groups = [frozenset(group) for group in _groups(6)]
    assert max(map(len, groups)) - min(map(len, groups)) <= 1
    times_tested = Counter()
    test_sets = []
    for _, test in CombinatorialPurgedSplit().split(AS_OF, TARGET):
        test_dates = frozenset(AS_OF[test])
        # Every row of its dates, and its dates are two whole groups.
        assert set(test) == set(np.flatnonzero(AS_OF.isin(test_dates)))
        tested_groups = [g for g, group in enumerate(groups) if group <= test_dates]
        assert len(tested_groups) == 2
        assert test_dates == groups[tested_groups[0]] | groups[tested_groups[1]]
        test_sets.append(tuple(tested_groups))
        times_tested.update(test_dates)
    assert sorted(test_sets) == list(itertools.combinations(range(6), 2))
    assert set(times_tested.values()) == {math.comb(5, 1)}
    assert len(times_tested) == len(DATES)


def test_cpcv_no_training_label_interval_touches_a_test_group():
    groups = _groups(6)
    for (train, test), combo in zip(
        CombinatorialPurgedSplit().split(AS_OF, TARGET), itertools.combinations(range(6), 2), strict=True
    ):
        assert not set(train) & set(test)
        assert TARGET[train].notna().all()
        for g in combo:
            start, end = groups[g][0], groups[g][-1]
            overlaps = (AS_OF[train] <= end) & (TARGET[train] >= start)
            assert not overlaps.any()


@pytest.mark.parametrize(("n_groups", "n_test_groups", "embargo_days"), [(6, 2, 1), (5, 1, 3), (4, 3, 2)])
def test_cpcv_matches_the_definition(n_groups, n_test_groups, embargo_days):
    splitter = CombinatorialPurgedSplit(n_groups, n_test_groups, embargo_days)
    splits = list(splitter.split(AS_OF, TARGET))
    expected = _reference_split(n_groups, n_test_groups, embargo_days)
    assert len(splits) == len(expected)
    for (train, test), (expected_train, expected_test) in zip(splits, expected, strict=True):
        assert set(train) == expected_train
        assert set(test) == expected_test
        assert (np.diff(train) > 0).all() and (np.diff(test) > 0).all()


def test_cpcv_embargo_drops_the_dates_right_after_each_test_group():
    embargo_days = 3
    dates = list(DATES)
    groups = _groups(6)
    splits = CombinatorialPurgedSplit(embargo_days=embargo_days).split(AS_OF, TARGET)
    checked = 0
    for (train, test), combo in zip(splits, itertools.combinations(range(6), 2), strict=True):
        train_dates, test_dates = set(AS_OF[train]), set(AS_OF[test])
        for g in combo:
            after = dates[dates.index(groups[g][-1]) + 1 :]
            if len(after) <= embargo_days or after[embargo_days] in test_dates:
                continue
            assert not train_dates & set(after[:embargo_days])
            # The date after the embargo trains again.
            assert after[embargo_days] in train_dates
            checked += 1
    assert checked > 0


@pytest.mark.parametrize(
    ("n_groups", "n_test_groups", "paths"), [(6, 2, 5), (10, 2, 9), (6, 1, 1), (6, 3, 10), (8, 4, 35)]
)
def test_cpcv_n_paths_is_k_times_c_n_k_over_n(n_groups, n_test_groups, paths):
    splitter = CombinatorialPurgedSplit(n_groups=n_groups, n_test_groups=n_test_groups)
    assert splitter.n_paths == paths
    assert splitter.n_paths * n_groups == n_test_groups * splitter.get_n_splits()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"n_groups": 1}, "n_groups must be an integer >= 2"),
        ({"n_groups": 4, "n_test_groups": 4}, "must be below n_groups"),
        ({"n_test_groups": 0}, "n_test_groups must be an integer >= 1"),
    ],
)
def test_bad_cpcv_parameters_raise(params, message):
    with pytest.raises(ValueError, match=message):
        CombinatorialPurgedSplit(**params).split(AS_OF, TARGET)
