import duckdb
import pandas as pd
import pytest

from ml.store import WarehouseNotBuilt, write_tables
from tests.firms import copy_warehouse


def test_a_run_that_fails_half_way_writes_nothing(tiny_built_warehouse, tmp_path):
    db = copy_warehouse(tiny_built_warehouse, tmp_path)
    run = pd.DataFrame(
        [
            {
                "run_id": "r1",
                "run_kind": "backtest",
                "started_at": pd.Timestamp.now(tz="UTC"),
                "finished_at": pd.Timestamp.now(tz="UTC"),
            }
        ]
    )
    broken = pd.DataFrame([{"run_id": "r1", "no_such_column": 1}])
    with duckdb.connect(str(db)) as con:
        with pytest.raises(duckdb.Error):
            write_tables(con, {"runs": run, "predictions": broken})
        assert con.execute("select count(*) from ml.runs").fetchone() == (0,)
        write_tables(con, {"runs": run})
        assert con.execute("select count(*) from ml.runs").fetchone() == (1,)


def test_a_warehouse_without_the_ml_tables_says_to_build_first(tmp_path):
    with (
        duckdb.connect(str(tmp_path / "empty.duckdb")) as con,
        pytest.raises(WarehouseNotBuilt, match="run `riskman build` first"),
    ):
        write_tables(con, {"runs": pd.DataFrame([{"run_id": "r"}])})
