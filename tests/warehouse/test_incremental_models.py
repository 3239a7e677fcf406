"""Incremental models: loading the rest of the history later gives the same tables as a full
refresh (including a restated day that arrives with the later load)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from riskman.ingest import ingest_folder
from tests.warehouse.conftest import build, copy_warehouse, read, same_rows

pytestmark = pytest.mark.slow
INCREMENTAL_MODELS = [
    "intermediate.int_fills_aggregated_to_account_symbol_days",
    "intermediate.int_fills_grouped_into_round_trips",
    "core.fct_fills",
]


def _first_months(exports, folder, last_month: str):
    """The exports as they stood at the end of `last_month`: the firm-level files, and the
    per-account files whose period (`fills_2016-02`, `totalsByDate_2016-02-10_corrected`) starts
    by then."""
    for path in [*exports.glob("*.*"), *exports.glob("[!_]*/*.csv")]:
        period = path.stem.split("_")[1] if path.parent != exports else ""
        if period[:7] <= last_month:
            target = folder / path.relative_to(exports)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    return folder


def test_incremental_build_equals_full_refresh(tiny_exports, tmp_path):
    db = tmp_path / "incremental.duckdb"
    early = _first_months(tiny_exports, tmp_path / "early", "2016-02")
    assert ingest_folder(early, db).usable
    assert build(db)
    first = read(db, "select count(*) as n from core.fct_fills").n[0]
    report = ingest_folder(tiny_exports, db)
    assert report.total("rows_loaded") > 0
    assert build(db)
    assert read(db, "select count(*) as n from core.fct_fills").n[0] > first

    full = copy_warehouse(db, tmp_path / "full")
    assert build(full, "--full-refresh")
    for model in INCREMENTAL_MODELS:
        incremental_rows = read(db, f"select * from {model}")
        full_rows = read(full, f"select * from {model}")
        assert len(full_rows) > 0
        assert same_rows(incremental_rows, full_rows), f"{model} differs from its full refresh"


def test_a_restatement_loaded_later_replaces_the_day_in_incremental_models(tiny_exports, built_warehouse):
    restated = pd.read_csv(tiny_exports / "_truth" / "restatements.csv")
    row = restated.iloc[0]
    fills = read(
        built_warehouse,
        f"""
        select price from core.fct_fills
        where account_name = '{row.account}' and fill_id = '{row.fill_id}'""",
    )
    assert list(fills.price) == [pytest.approx(row.new_price)]
