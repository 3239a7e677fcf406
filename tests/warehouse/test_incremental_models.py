"""Incremental models: a daily run on an existing warehouse gives the same tables as a full refresh.

The fixture is a real daily cycle: exports up to the day before the last (no corrections yet) are
ingested and fully built; then the next export arrives, bringing a new day and the restatement of
an old one; the second `dbt build` runs the incremental models incrementally. Every incremental
model and every mart must then equal a `--full-refresh` of the same raw data.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from riskman.ingest import ingest_folder
from tests.compare import assert_same_rows, read, tables_in
from tests.firms import TINY, build, copy_warehouse, cut_exports

pytestmark = pytest.mark.slow
COMPARED_SCHEMAS = ("intermediate", "core", "features", "labels", "reporting")


@pytest.fixture(scope="module")
def daily_cycle(tiny_exports, tmp_path_factory):
    """(incrementally built warehouse, its full refresh, the restatement that arrived late)."""
    root = tmp_path_factory.mktemp("incremental")
    restated = pd.read_csv(tiny_exports / "_truth" / "restatements.csv").iloc[0]
    day_before_last = TINY["end"] - timedelta(days=1)
    assert restated.date < str(day_before_last), "the restatement must be of an old day"
    db = root / "incremental.duckdb"
    earlier = cut_exports(tiny_exports, root / "earlier", day_before_last, corrections=False)
    assert ingest_folder(earlier, db).usable
    assert build(db)
    assert read(db, "select max(trade_date) as d from core.fct_trader_days").d[0].date() == day_before_last

    report = ingest_folder(tiny_exports, db)
    assert report.total("rows_loaded") > 0
    assert build(db), "the incremental build failed"
    full = copy_warehouse(db, root / "full")
    assert build(full, "--full-refresh")
    return db, full, restated


def test_the_project_has_incremental_models(project_manifest):
    assert _incremental_models(project_manifest), "nothing here would be built incrementally"


def test_the_daily_run_brings_the_new_day_and_the_restated_old_one(daily_cycle):
    db, _, restated = daily_cycle
    assert read(db, "select max(trade_date) as d from core.fct_trader_days").d[0].date() == TINY["end"]
    fills = read(
        db,
        f"select price from core.fct_fills where account_name = '{restated.account}'"
        f" and fill_id = '{restated.fill_id}'",
    )
    assert list(fills.price) == [pytest.approx(restated.new_price)]


def test_every_model_built_incrementally_equals_its_full_refresh(daily_cycle, project_manifest):
    db, full, _ = daily_cycle
    relations = [f"{schema}.{table}" for schema in COMPARED_SCHEMAS for table in tables_in(full, schema)]
    assert set(_incremental_models(project_manifest)) <= set(relations)
    may_be_empty = _reads_python_outputs(project_manifest) | CLEAN_FIRM_EMPTY
    empty = []
    for relation in relations:
        full_rows = read(full, f"select * from {relation}")
        if len(full_rows) == 0 and relation not in may_be_empty:
            empty.append(relation)
        assert_same_rows(read(db, f"select * from {relation}"), full_rows, f"{relation} vs its full refresh")
    assert empty == [], "empty, so the comparison proves nothing"


# Defects only a firm with bad input has (quarantined lines, fills that do not reconcile with
# their totals); the tiny firm has none, so these are empty by design.
CLEAN_FIRM_EMPTY = {"reporting.rpt_quarantine", "reporting.rpt_reconciliation_breaks"}
# Sources that Python steps write after dbt: the ML steps (ml) and the data checks (quality).
PYTHON_SOURCES = {"ml", "quality"}


def _reads_python_outputs(manifest) -> set[str]:
    """Relations downstream of a source in PYTHON_SOURCES."""
    nodes = manifest["nodes"]
    found: set[str] = set()

    def reads_python_output(unique_id: str) -> bool:
        node = nodes.get(unique_id)
        if node is None:
            return unique_id.startswith("source.") and unique_id.split(".")[2] in PYTHON_SOURCES
        return any(reads_python_output(parent) for parent in node["depends_on"]["nodes"])

    for unique_id, node in nodes.items():
        if node["resource_type"] == "model" and reads_python_output(unique_id):
            found.add(f"{node['schema']}.{node['alias'] or node['name']}")
    return found


def _incremental_models(manifest) -> list[str]:
    return sorted(
        f"{node['schema']}.{node['alias'] or node['name']}"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"
    )
