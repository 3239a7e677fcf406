"""Which traders a critical data-check failure stops (ml.data_gate), on a real DuckDB file holding
quality.check_results and the account map as `riskman build` leaves them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from ml.data_gate import FIRM, data_gate
from riskman.quality.results import CHECK_RESULTS_DDL

EARLIER = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
LATER = EARLIER + timedelta(hours=1)


def result(run_id, *, severity="critical", success=False, sample=None, unexpected=None, at=LATER):
    return {
        "run_id": run_id,
        "checked_at": at,
        "suite": "marts_fct_trader_days",
        "table_name": "core.fct_trader_days",
        "expectation_type": "expect_column_values_to_not_be_null",
        "column_name": "net_pnl",
        "severity": severity,
        "success": success,
        "unexpected_count": unexpected,
        "observed_value": None,
        "sample": None if sample is None else json.dumps(sample),
        "message": None,
    }


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema quality")
        con.execute(CHECK_RESULTS_DDL)
        con.execute("create schema intermediate")
        con.execute(
            "create table intermediate.int_accounts_mapped_to_traders as"
            " select * from (values ('ACC1', 'T001'), ('ACC2', 'T002')) as t(account_name, trader_id)"
        )
    return path


def gate_with(path, rows):
    with duckdb.connect(str(path)) as con:
        for row in rows:
            columns = ", ".join(row)
            con.execute(
                f"insert into quality.check_results ({columns}) values ({', '.join('?' * len(row))})",
                list(row.values()),
            )
        return data_gate(con)


def test_without_check_results_nothing_is_stopped(tmp_path):
    with duckdb.connect(str(tmp_path / "empty.duckdb")) as con:
        gate = data_gate(con)
    assert gate.blocked == {} and gate.allows("T001")


def test_a_failure_whose_rows_are_all_sampled_stops_only_the_traders_it_names(warehouse):
    sample = [{"trader_id": "T003", "as_of_date": "2018-01-02"}, {"account_name": "ACC1"}]
    gate = gate_with(warehouse, [result("run-2", sample=sample, unexpected=2)])
    assert set(gate.blocked) == {"T003", "T001"}
    assert not gate.allows("T001") and gate.allows("T002") and not gate.firm_blocked
    assert "net_pnl" in gate.blocked["T003"] and gate.check_run_id == "run-2"


@pytest.mark.parametrize(
    "sample, unexpected",
    [
        ([{"trader_id": "T003"}], 7),  # more failing rows than were sampled
        (None, None),  # a table-level failure (a row count)
        ([{"symbol": "AAPL"}], 1),  # rows that name no trader
        ([{"account_name": "UNKNOWN"}], 1),  # an account the map does not know
    ],
)
def test_a_failure_that_cannot_name_every_trader_stops_the_firm(warehouse, sample, unexpected):
    gate = gate_with(warehouse, [result("run-2", sample=sample, unexpected=unexpected)])
    assert gate.firm_blocked and not gate.allows("T002")
    assert set(gate.blocked) == {FIRM}


def test_only_the_latest_check_run_and_only_critical_failures_count(warehouse):
    gate = gate_with(
        warehouse,
        [
            result("run-1", at=EARLIER, sample=None),  # an old critical failure, since fixed
            result("run-2", success=True),
            result("run-2", severity="warning", sample=None),
        ],
    )
    assert gate.blocked == {} and gate.check_run_id == "run-2"
