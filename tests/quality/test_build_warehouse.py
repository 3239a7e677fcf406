"""`riskman build` = dbt build + data checks: a critical failure fails the build, a warning does not."""

from __future__ import annotations

import subprocess

import pytest

from riskman import pipeline
from tests.firms import copy_warehouse


def fake_dbt(returncode: int):
    return lambda args, db_path: subprocess.CompletedProcess(["dbt", *args], returncode)


@pytest.fixture
def clean(tiny_raw_warehouse, tmp_path):
    return copy_warehouse(tiny_raw_warehouse, tmp_path / "clean")


def test_build_passes_when_dbt_passes_and_no_check_is_critical(clean, monkeypatch):
    monkeypatch.setattr(pipeline, "run_dbt", fake_dbt(0))
    result = pipeline.build_warehouse(clean)
    assert result.ok
    assert "failed: critical 0" in result.summary()


def test_a_critical_check_fails_the_build_and_is_named(tiny_raw_warehouse, tmp_path, monkeypatch):
    bad = copy_warehouse(
        tiny_raw_warehouse,
        tmp_path / "bad",
        "insert into raw.fills by name "
        "select * replace (0 as price, 'ZERO' as fill_id) from raw.fills limit 1",
    )
    monkeypatch.setattr(pipeline, "run_dbt", fake_dbt(0))
    result = pipeline.build_warehouse(bad)
    assert not result.ok
    assert (
        "critical: raw_fills expect_column_values_to_be_between column=price unexpected=1" in result.summary()
    )


def test_a_failed_dbt_build_fails_even_with_clean_data(clean, monkeypatch):
    monkeypatch.setattr(pipeline, "run_dbt", fake_dbt(1))
    result = pipeline.build_warehouse(clean)
    assert not result.ok
    assert "dbt build: failed (exit 1)" in result.summary()


def test_an_upgrade_that_changed_an_incremental_models_columns_rebuilds_it(tiny_built_warehouse, tmp_path):
    # As a warehouse built before quantities were decimals: the stored column is still an integer.
    db = copy_warehouse(
        tiny_built_warehouse,
        tmp_path,
        "alter table intermediate.int_fills_aggregated_to_account_symbol_days"
        " alter column shares_traded set data type bigint",
    )
    result = pipeline.build_warehouse(db)
    assert result.ok, result.summary()
    assert (
        "columns of int_fills_aggregated_to_account_symbol_days changed since the last build"
        in result.summary()
    )
