"""Shared fixtures: every test gets its own warehouse file and logs folder; no network.

The demo firms are generated, ingested and built once per session and shared: a test that
writes copies the warehouse first (`tests.firms.copy_warehouse`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from riskman.demo_firm import generate_demo_firm
from riskman.ingest import ingest_folder
from riskman.settings import dbt_project_dir
from tests.dbt.dbt_cli import parse_manifest
from tests.firms import TINY, build, copy_warehouse

# The ML firm's fixtures, shared by tests/ml, tests/flows and tests/app. Registered here once: a
# session fixture imported into several conftest files is built once per file that imports it.
from tests.ml_firm import commands_run, ml_firm_exports, ml_firm_warehouse  # noqa: F401

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


def _isolate(setenv, root: Path) -> None:
    setenv("RISKMAN_DB", str(root / "warehouse.duckdb"))
    setenv("RISKMAN_LOGS_DIR", str(root / "logs"))
    setenv("RISKMAN_DATA_DIR", str(root / "data"))
    # Data-check results and Data Docs go to a scratch GX folder, never the committed one.
    setenv("RISKMAN_GX_DIR", str(root / "gx"))
    # No trader config unless a test writes one (the repo's config/traders.yaml is a template).
    setenv("RISKMAN_TRADERS_CONFIG", str(root / "no-traders.yaml"))


@pytest.fixture(scope="session", autouse=True)
def _isolated_session_paths(tmp_path_factory):
    """Session fixtures (the shared firms) never write into the checkout either."""
    with pytest.MonkeyPatch.context() as patch:
        _isolate(patch.setenv, tmp_path_factory.mktemp("session"))
        yield


@pytest.fixture(autouse=True)
def _isolated_paths(tmp_path, monkeypatch):
    _isolate(monkeypatch.setenv, tmp_path)


@pytest.fixture(scope="session")
def project_manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The real dbt project's manifest, parsed once per session outside the project's target/."""
    return parse_manifest(dbt_project_dir(), tmp_path_factory.mktemp("dbt_parse"))


@pytest.fixture(scope="session")
def tiny_exports(tmp_path_factory) -> Path:
    """The tiny demo firm's exports (tests.firms.TINY); never write into them."""
    folder = tmp_path_factory.mktemp("tiny") / "exports"
    generate_demo_firm(folder, **TINY)
    return folder


@pytest.fixture(scope="session")
def tiny_raw_warehouse(tiny_exports, tmp_path_factory) -> Path:
    """The tiny firm ingested into raw, nothing built; copy it before changing it."""
    db = tmp_path_factory.mktemp("tiny_raw") / "warehouse.duckdb"
    assert ingest_folder(tiny_exports, db).usable
    return db


@pytest.fixture(scope="session")
def tiny_built_warehouse(tiny_raw_warehouse, tmp_path_factory) -> Path:
    """The tiny firm after a full `dbt build`; copy it before changing it."""
    db = copy_warehouse(tiny_raw_warehouse, tmp_path_factory.mktemp("tiny_built"))
    assert build(db), "dbt build failed on the tiny demo firm"
    return db


@pytest.fixture(scope="session")
def tiny_defect_exports(tmp_path_factory) -> Path:
    """The tiny firm with every kind of injected bad input (`_truth/defects.csv` lists them)."""
    folder = tmp_path_factory.mktemp("tiny_defects") / "exports"
    generate_demo_firm(folder, **TINY, defects=True)
    return folder


@pytest.fixture(scope="session")
def tiny_defect_warehouse(tiny_defect_exports, tmp_path_factory) -> Path:
    """The defective tiny firm ingested and built; copy it before changing it."""
    db = tmp_path_factory.mktemp("tiny_defects_built") / "warehouse.duckdb"
    assert ingest_folder(tiny_defect_exports, db).usable
    assert build(db), "dbt build failed on the tiny demo firm with defects"
    return db


@pytest.fixture(scope="session")
def prefect_harness():
    """Prefect's test harness (a temporary API), once per session: it costs seconds."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():
        yield
