"""Reading warehouse relations in tests, and comparing them row by row with a readable failure."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

SHOWN_ROWS = 10
# Summation order (a parallel aggregate adds in another order) moves the last bits of a double;
# any real change of an input moves values far more.
RELATIVE_TOLERANCE = 1e-9


def read(db: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).df()


def tables_in(db: Path, schema: str) -> list[str]:
    rows = read(db, f"select table_name from information_schema.tables where table_schema = '{schema}'")
    return sorted(rows.table_name)


def row_differences(left: pd.DataFrame, right: pd.DataFrame) -> str | None:
    """None when the frames hold the same rows (as multisets, NaN = NaN, floats to 1e-9
    relative); else a description naming the rows found on one side only."""
    if list(left.columns) != list(right.columns):
        return f"columns differ: {list(left.columns)} vs {list(right.columns)}"
    key = [c for c in left.columns if not pd.api.types.is_float_dtype(left[c])] or list(left.columns)
    a = left.sort_values(key, ignore_index=True, na_position="first")
    b = right.sort_values(key, ignore_index=True, na_position="first")
    if len(a) == len(b):
        try:
            pd.testing.assert_frame_equal(
                a, b, check_exact=False, rtol=RELATIVE_TOLERANCE, atol=RELATIVE_TOLERANCE
            )
            return None
        except AssertionError:
            pass
    only_left, only_right = _one_sided(a, b)
    return (
        f"{len(a)} rows vs {len(b)}; {len(only_left)} only on the left, {len(only_right)} only on the right"
        f"\nleft only:\n{_show(only_left)}\nright only:\n{_show(only_right)}"
    )


def assert_same_rows(left: pd.DataFrame, right: pd.DataFrame, what: str) -> None:
    differences = row_differences(left, right)
    assert differences is None, f"{what}: {differences}"


def _one_sided(a: pd.DataFrame, b: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows of each frame missing from the other, floats compared at 9 significant digits."""
    columns = list(a.columns)
    left, right = _canonical(a), _canonical(b)
    merged = left.merge(right, how="outer", on=[*columns, "_copy"], indicator=True)
    sides = merged.drop(columns="_copy")
    return (
        sides[sides._merge == "left_only"].drop(columns="_merge"),
        sides[sides._merge == "right_only"].drop(columns="_merge"),
    )


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].map(lambda v: v if pd.isna(v) else float(f"{v:.9g}"))
    # A multiset: the n-th copy of a row matches only the n-th copy on the other side.
    out["_copy"] = out.groupby(list(frame.columns), dropna=False).cumcount()
    return out


def _show(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "  (none)"
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        return frame.head(SHOWN_ROWS).to_string(index=False)
