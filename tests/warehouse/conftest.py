"""A tiny demo firm built into a warehouse once per session, for the warehouse tests."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from riskman.dbt import run_dbt
from riskman.demo_firm import generate_demo_firm
from riskman.ingest import ingest_folder


@pytest.fixture(scope="session")
def tiny_exports(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tiny") / "exports"
    generate_demo_firm(folder, traders=4, start=date(2016, 1, 4), end=date(2016, 4, 29), seed=3)
    return folder


@pytest.fixture(scope="session")
def built_warehouse(tiny_exports, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("built") / "warehouse.duckdb"
    assert ingest_folder(tiny_exports, db).usable
    assert build(db), "dbt build failed on the tiny demo firm"
    return db


def build(db: Path, *extra: str) -> bool:
    return run_dbt(["build", *extra], db).returncode == 0


def copy_warehouse(db: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / db.name
    shutil.copy2(db, target)
    return target


def read(db: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).df()


def tables_in(db: Path, schema: str) -> list[str]:
    rows = read(db, f"select table_name from information_schema.tables where table_schema = '{schema}'")
    return sorted(rows.table_name)


def same_rows(left: pd.DataFrame, right: pd.DataFrame) -> bool:
    """Equal as multisets of rows (order-insensitive), NaN equal to NaN, floats to 1e-9 relative.

    The tolerance absorbs summation order (a parallel aggregate may add in another order), which
    moves the last bits of a double; any real change of an input moves values far more.
    """
    if list(left.columns) != list(right.columns) or len(left) != len(right):
        return False
    key = [c for c in left.columns if not pd.api.types.is_float_dtype(left[c])] or list(left.columns)
    a = left.sort_values(key, ignore_index=True, na_position="first")
    b = right.sort_values(key, ignore_index=True, na_position="first")
    try:
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=1e-9)
    except AssertionError:
        return False
    return True
