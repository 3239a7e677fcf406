"""The row comparison the warehouse tests use: equal frames pass, a difference names its rows."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tests.compare import assert_same_rows, row_differences


def _frame(values: list[float], keys: list[str] | None = None) -> pd.DataFrame:
    return pd.DataFrame({"trader_id": keys or [f"T{i}" for i in range(len(values))], "pnl": values})


def test_the_same_rows_in_another_order_and_summation_noise_are_equal():
    left = _frame([1.0, 2.0, math.nan])
    right = _frame([2.0 * (1 + 1e-12), 1.0, math.nan]).iloc[[1, 0, 2]]
    right = right.assign(trader_id=["T0", "T1", "T2"])
    assert row_differences(left, right) is None


def test_a_changed_value_names_the_row_on_both_sides():
    text = row_differences(_frame([1.0, 2.0]), _frame([1.0, 2.5]))
    assert "1 only on the left, 1 only on the right" in text
    assert "T1" in text and "2.5" in text


def test_a_missing_row_and_a_duplicate_are_differences():
    assert "T2" in row_differences(_frame([1.0, 2.0, 3.0]), _frame([1.0, 2.0]))
    duplicated = _frame([1.0, 1.0], keys=["T0", "T0"])
    assert "0 only on the right" in row_differences(duplicated, _frame([1.0], keys=["T0"]))


def test_assert_same_rows_fails_with_the_differences():
    with pytest.raises(AssertionError, match="feat_x: 2 rows vs 2; 1 only on the left"):
        assert_same_rows(_frame([1.0, 2.0]), _frame([1.0, 3.0]), "feat_x")
