"""Feature mart SQL against one hand-written DuckDB query computing the same aggregates.

    .venv/bin/python benchmarks/bench_features.py [--db data/warehouse.duckdb]

Needs a built warehouse (`riskman demo`). Compiles `feat_performance` with dbt, then times, on a
copy of the warehouse, `create temp table … as <compiled model SQL>` and the same for
`benchmarks/sql/feat_performance_by_hand.sql` (median of 7 runs each). Target (issue 3): the
feature mart within 2x of the hand-written query.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from riskman import settings
from riskman.dbt import run_dbt

HAND_WRITTEN = Path(__file__).parent / "sql" / "feat_performance_by_hand.sql"


def median_seconds(con: duckdb.DuckDBPyConnection, sql: str, runs: int = 7) -> float:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        con.execute(f"create or replace temp table timed as {sql}")
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, default=settings.warehouse_path())
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "warehouse.duckdb"
        shutil.copy2(args.db, copy)
        target = Path(tmp) / "target"
        if run_dbt(
            ["compile", "--quiet", "--select", "feat_performance", "--target-path", str(target)], copy
        ).returncode:
            raise SystemExit("dbt compile failed")
        compiled = next(target.rglob("feat_performance.sql")).read_text()
        with duckdb.connect(str(copy)) as con:
            rows = con.execute(f"select count(*) from ({compiled})").fetchall()[0][0]
            model = median_seconds(con, compiled)
            hand = median_seconds(con, HAND_WRITTEN.read_text())
    print(f"feat_performance model SQL: {model:.3f} s; hand-written query: {hand:.3f} s ({rows:,d} rows)")
    print(f"ratio model / hand-written = {model / hand:.2f} (target <= 2)")


if __name__ == "__main__":
    main()
