"""Writes of the ML steps to the warehouse's `ml` schema, one run in one transaction.

The tables are declared once, in dbt_project/macros/create_ml_tables.sql (dbt creates them before
every run, so they exist once the warehouse is built). A run's rows go in together or not at
all: a failure in the middle leaves the warehouse as it was (docs/architecture.md §7).
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import pandas as pd

from riskman.sql import quote_ident

ML_TABLES = (
    "runs",
    "predictions",
    "ensemble_weights",
    "evaluation",
    "model_registry",
    "tuning_runs",
    "backtest_runs",
    "backtest_policies",
    "backtest_daily",
    "backtest_metrics",
    "backtest_comparisons",
    "monitor_runs",
    "drift_results",
    "alerts",
    "prediction_inputs",
    "model_health",
    "importance_stability",
    "overrides",
    "blocked_predictions",
)


class WarehouseNotBuilt(Exception):
    """The `ml` tables do not exist: the warehouse was not built with this version of the project."""


def require_warehouse(db_path) -> None:
    """A missing warehouse file is one actionable line, not DuckDB's IO error."""
    from pathlib import Path

    if not Path(db_path).is_file():
        raise WarehouseNotBuilt(
            f"no warehouse at {db_path}: run `riskman demo`, or `riskman ingest DIR` and `riskman build`"
        )


def require_ml_tables(con: duckdb.DuckDBPyConnection) -> None:
    present = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'ml'"
        ).fetchall()
    }
    missing = [table for table in ML_TABLES if table not in present]
    if missing:
        raise WarehouseNotBuilt(
            f"the warehouse has no ml.{missing[0]} table: run `riskman build` first "
            "(dbt creates the ml tables)"
        )


def write_tables(con: duckdb.DuckDBPyConnection, rows: Mapping[str, pd.DataFrame]) -> None:
    """Insert each frame into `ml.<table>` by column name, all in one transaction."""
    require_ml_tables(con)
    con.execute("begin transaction")
    try:
        for table, frame in rows.items():
            if frame is None or frame.empty:
                continue
            columns = ", ".join(quote_ident(column) for column in frame.columns)
            con.register("rows_to_write", frame)
            con.execute(
                f"insert into ml.{quote_ident(table)} ({columns}) select {columns} from rows_to_write"
            )
            con.unregister("rows_to_write")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
