"""Fixtures for the data checks: the tiny demo firm landed in raw (no dbt), and a GX folder per test."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from riskman.demo_firm import generate_demo_firm
from riskman.ingest import ingest_folder


@pytest.fixture(autouse=True)
def _isolated_gx(tmp_path, monkeypatch):
    # A run stores results and docs under the GX folder: never in the checkout during tests.
    monkeypatch.setenv("RISKMAN_GX_DIR", str(tmp_path / "expectations"))


@pytest.fixture(scope="session")
def raw_warehouse(tmp_path_factory) -> Path:
    """The tiny demo firm ingested into raw; copy it before changing it."""
    root = tmp_path_factory.mktemp("quality_demo")
    exports, db = root / "exports", root / "warehouse.duckdb"
    generate_demo_firm(exports, traders=4, start=date(2016, 1, 4), end=date(2016, 4, 29), seed=3)
    assert ingest_folder(exports, db).usable
    return db


def copy_warehouse(source: Path, folder: Path, *statements: str) -> Path:
    """A copy of the warehouse at `source` in `folder`, with `statements` run on it."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "warehouse.duckdb"
    shutil.copy(source, db)
    with duckdb.connect(str(db)) as con:
        for statement in statements:
            con.execute(statement)
    return db
