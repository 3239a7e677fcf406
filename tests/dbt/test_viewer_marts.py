"""The reporting marts the risk viewer (app/) reads, checked against the models they are built
from on the tiny demo firm with injected defects (it has quarantined lines and reconciliation
breaks): desk equity and its drawdown, trader days and loss-limit breaches, fills by time of day,
reconciliation breaks, the ingest log and quarantine, and the data-check runs.

The check views read quality.check_results live: they are empty on a fresh build (the table
exists before dbt runs, empty), and show synthetic runs written into a copy afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from riskman.dbt import run_dbt
from tests.firms import copy_warehouse

pytestmark = pytest.mark.slow

BUCKET_MINUTES = 30
OPEN = datetime(2016, 1, 4, 9, 30)


def _rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _running_sum(values: list[float]) -> list[float]:
    total, sums = 0.0, []
    for value in values:
        total += value
        sums.append(total)
    return sums


@pytest.fixture(scope="module")
def db(tiny_defect_warehouse: Path) -> Path:
    return tiny_defect_warehouse


# --- rpt_desk_equity --------------------------------------------------------------------------


def test_desk_equity_sums_each_desks_trader_days(db):
    expected = defaultdict(lambda: [0, 0.0])
    fact = _rows(db, "select desk, trade_date, is_active, net_pnl from core.fct_trader_days")
    for desk, day, active, pnl in fact:
        expected[(desk, day)][0] += active
        expected[(desk, day)][1] += pnl
    rows = _rows(db, "select desk, trade_date, active_traders, net_pnl from reporting.rpt_desk_equity")
    assert {(desk, day): (n, pytest.approx(pnl)) for desk, day, n, pnl in rows} == {
        key: tuple(values) for key, values in expected.items()
    }
    assert len(rows) == len(expected)
    assert len({desk for desk, *_ in rows}) > 1


def test_desk_equity_accumulates_per_desk_and_draws_down_from_a_peak_starting_at_zero(db):
    rows = _rows(
        db,
        """select desk, net_pnl, cumulative_net_pnl, drawdown_usd
           from reporting.rpt_desk_equity order by desk, trade_date""",
    )
    by_desk = defaultdict(list)
    for desk, *values in rows:
        by_desk[desk].append(values)
    drawdowns = 0
    for desk, days in by_desk.items():
        cumulative = _running_sum([pnl for pnl, _, _ in days])
        assert [cum for _, cum, _ in days] == pytest.approx(cumulative), desk
        peak = 0.0
        for (_, _, drawdown), cum in zip(days, cumulative, strict=True):
            peak = max(peak, cum)
            assert drawdown == pytest.approx(cum - peak, abs=1e-6), desk
            assert drawdown <= 0
            if cum == peak:
                assert drawdown == pytest.approx(0, abs=1e-6)  # a new high
            drawdowns += drawdown < 0
    assert drawdowns > 0, "the fixture must draw down"


# --- rpt_trader_days --------------------------------------------------------------------------


def test_trader_days_are_the_trader_days_of_the_fact_with_the_traders_name(db):
    fact = _rows(
        db,
        """select d.trader_id, t.trader_name, d.desk, d.trade_date, d.is_active, d.net_pnl,
                  d.fills_count, d.shares_traded::double, d.notional_traded, d.total_fees,
                  t.daily_loss_limit_usd
           from core.fct_trader_days as d left join core.dim_traders as t using (trader_id)
           order by all""",
    )
    mart = _rows(
        db,
        """select trader_id, trader_name, desk, trade_date, is_active, net_pnl, fills_count,
                  shares_traded, notional_traded, total_fees, daily_loss_limit_usd
           from reporting.rpt_trader_days order by all""",
    )
    assert mart == fact
    assert any(row[4] is False for row in mart), "idle days included"


def test_a_trader_days_cumulative_pnl_is_the_running_sum_of_his_days(db):
    rows = _rows(
        db,
        """select trader_id, net_pnl, cumulative_net_pnl
           from reporting.rpt_trader_days order by trader_id, trade_date""",
    )
    by_trader = defaultdict(list)
    for trader, pnl, cumulative in rows:
        by_trader[trader].append((pnl, cumulative))
    for trader, days in by_trader.items():
        assert [c for _, c in days] == pytest.approx(_running_sum([p for p, _ in days])), trader


def test_a_breach_is_a_loss_beyond_the_daily_limit_and_never_without_one(db):
    rows = _rows(
        db, "select net_pnl, daily_loss_limit_usd, is_loss_limit_breach from reporting.rpt_trader_days"
    )
    assert [breach for *_, breach in rows] == [limit is not None and pnl < -limit for pnl, limit, _ in rows]
    breaches = sum(breach for *_, breach in rows)
    assert 0 < breaches < len(rows), "the fixture must break a limit on some days, not all"


def test_a_trader_without_a_limit_never_breaches(db, tmp_path):
    # A copy with every trader's limit removed, the mart rebuilt over it.
    copy = copy_warehouse(db, tmp_path, "update core.dim_traders set daily_loss_limit_usd = null")
    assert run_dbt(["run", "--select", "rpt_trader_days"], copy).returncode == 0
    rows = _rows(copy, "select count(*), count_if(is_loss_limit_breach) from reporting.rpt_trader_days")
    assert rows == [(rows[0][0], 0)]


# --- rpt_trader_fills_by_time_of_day ----------------------------------------------------------


def test_fills_by_time_of_day_buckets_every_fill_of_the_trader(db):
    expected = defaultdict(lambda: [0, 0.0, 0.0, set()])
    fills = _rows(
        db, "select trader_id, minutes_after_open, quantity::double, notional, trade_date from core.fct_fills"
    )
    for trader, minutes, quantity, notional, day in fills:
        bucket = expected[(trader, minutes // BUCKET_MINUTES * BUCKET_MINUTES)]
        bucket[0] += 1
        bucket[1] += quantity
        bucket[2] += notional
        bucket[3].add(day)
    rows = _rows(
        db,
        """select trader_id, bucket_start_minute, fills_count, shares_traded, notional_traded, active_days
           from reporting.rpt_trader_fills_by_time_of_day""",
    )
    assert {
        (trader, start): (n, pytest.approx(shares), pytest.approx(notional), days)
        for trader, start, n, shares, notional, days in rows
    } == {key: (n, shares, notional, len(days)) for key, (n, shares, notional, days) in expected.items()}
    assert len(rows) == len(expected)
    assert sum(n for _, _, n, *_ in rows) == len(fills)


def test_a_bucket_is_labelled_with_its_eastern_clock_time_from_the_open(db):
    rows = _rows(
        db, "select distinct bucket_start_minute, bucket_label from reporting.rpt_trader_fills_by_time_of_day"
    )
    assert {label for _, label in rows} >= {"09:30", "12:00", "15:30"}
    for start, label in rows:
        assert label == f"{OPEN + timedelta(minutes=start):%H:%M}"


def test_a_fill_before_the_open_falls_in_a_negative_bucket(db, tmp_path):
    # One fill moved to 09:10 (20 minutes before the open) in a copy, the mart rebuilt over it.
    copy = copy_warehouse(
        db,
        tmp_path,
        """update core.fct_fills set minutes_after_open = -20
           where fill_key = (select min(fill_key) from core.fct_fills)""",
    )
    assert run_dbt(["run", "--select", "rpt_trader_fills_by_time_of_day"], copy).returncode == 0
    rows = _rows(
        copy,
        """select bucket_start_minute, bucket_label, fills_count
           from reporting.rpt_trader_fills_by_time_of_day where bucket_start_minute < 0""",
    )
    assert rows == [(-30, "09:00", 1)]


# --- rpt_reconciliation_breaks ----------------------------------------------------------------


def test_reconciliation_breaks_are_every_account_day_that_does_not_reconcile(db):
    expected = _rows(
        db,
        """select r.account_name, m.trader_id, r.trade_date, r.reconciliation_status,
                  r.fills_count, r.totals_fills_count, r.shares_traded::double, r.totals_quantity::double,
                  r.fees_difference::double, r.gross_difference::double
           from intermediate.int_fills_reconciled_to_account_days as r
           left join intermediate.int_accounts_mapped_to_traders as m using (account_name)
           where r.reconciliation_status <> 'ok' order by all""",
    )
    rows = _rows(
        db,
        """select account_name, trader_id, trade_date, reconciliation_status, fills_count,
                  totals_fills_count, shares_traded, totals_quantity, fees_difference, gross_difference
           from reporting.rpt_reconciliation_breaks order by all""",
    )
    assert rows == expected
    assert len(rows) >= 3, "the defective firm must have breaks"
    assert all(trader is not None for _, trader, *_ in rows)
    assert "ok" not in {status for _, _, _, status, *_ in rows}


# --- rpt_ingest_files and rpt_quarantine ------------------------------------------------------


def test_ingest_files_are_the_load_log_one_row_per_load(db):
    columns = (
        "load_id, source_file, file_kind, account_name, loaded_at, rows_read, rows_loaded,"
        " rows_unchanged, rows_quarantined, status, message"
    )
    rows = _rows(db, f"select {columns} from reporting.rpt_ingest_files order by load_id")
    assert rows == _rows(db, f"select {columns} from raw.load_log order by load_id")
    assert len({row[0] for row in rows}) == len(rows)
    assert any(row[8] > 0 for row in rows), "some load quarantined rows"


def test_quarantine_shows_every_quarantined_line_with_its_file_and_reason(db):
    rows = _rows(
        db,
        """select load_id, source_file, file_kind, line_number, raw_text, reason, loaded_at
           from reporting.rpt_quarantine order by all""",
    )
    assert rows == _rows(
        db,
        """select _load_id, _source_file, file_kind, line_number, raw_text, reason, _loaded_at
           from raw.quarantine order by all""",
    )
    assert rows, "the defective firm must quarantine lines"


# --- rpt_check_runs and rpt_check_results_latest ----------------------------------------------

T0 = datetime(2016, 5, 2, 6, tzinfo=UTC)
# The run ids sort against the times, so only checked_at can tell which run is the latest; the
# newest two ran at the same moment, and the data gate (ml/data_gate.py) takes the greater run_id.
OLDER, NEWER, TIED = "check-b-older", "check-a-newer", "check-0-tied"
CHECKED_AT = {OLDER: T0, NEWER: T0 + timedelta(hours=1), TIED: T0 + timedelta(hours=1)}
# (suite, table, expectation, column, severity, success); a run's rows differ in unexpected_count.
EXPECTATIONS = [
    ("raw_fills", "raw.fills", "expect_column_values_to_not_be_null", "qty", "critical", True),
    ("raw_fills", "raw.fills", "expect_column_values_to_be_between", "price", "critical", False),
    ("raw_fills", "raw.fills", "expect_column_values_to_be_between", "price", "warning", False),
    ("marts_x", "core.fct_trader_days", "expect_table_row_count_to_be_between", None, "info", False),
]
RESULTS = {
    OLDER: EXPECTATIONS,
    NEWER: EXPECTATIONS[:3],
    TIED: EXPECTATIONS[:1],
}


def _check_rows(run: str) -> list[tuple]:
    """The run's rows of quality.check_results: unexpected_count numbers them; failures carry a sample."""
    rows = []
    for i, (*expectation, success) in enumerate(RESULTS[run]):
        sample = None if success else f'[{{"row": {i}}}]'
        rows.append((run, CHECKED_AT[run], *expectation, success, i, f"[{i}]", sample, f"{run} {i}"))
    return rows


@pytest.fixture(scope="module")
def checked(db: Path, tmp_path_factory: pytest.TempPathFactory):
    """A copy of the built warehouse, the check views' row counts before any check run, then the
    synthetic runs written; yields (copy, counts before)."""
    copy = copy_warehouse(db, tmp_path_factory.mktemp("viewer_checks"))
    with duckdb.connect(str(copy)) as con:
        before = {
            view: con.execute(f"select count(*) from reporting.{view}").fetchone()[0]
            for view in ("rpt_check_runs", "rpt_check_results_latest")
        }
        con.executemany(
            f"insert into quality.check_results values ({', '.join('?' * 12)})",
            [row for run in RESULTS for row in _check_rows(run)],
        )
    yield copy, before


def test_the_check_views_are_built_and_empty_before_any_check_run(checked):
    assert checked[1] == {"rpt_check_runs": 0, "rpt_check_results_latest": 0}


def test_check_runs_count_expectations_and_failures_by_severity_and_mark_the_latest(checked):
    rows = _rows(
        checked[0],
        """select run_id, checked_at, expectations_count, failed_critical, failed_warning, failed_info,
                  is_latest
           from reporting.rpt_check_runs order by run_id""",
    )
    assert rows == [
        (TIED, CHECKED_AT[TIED], 1, 0, 0, 0, False),
        (NEWER, CHECKED_AT[NEWER], 3, 1, 1, 0, True),
        (OLDER, CHECKED_AT[OLDER], 4, 1, 1, 1, False),
    ]


def test_the_latest_check_results_are_every_row_of_the_latest_run_only(checked):
    rows = _rows(
        checked[0],
        """select run_id, checked_at, suite, table_name, expectation_type, column_name, severity,
                  success, unexpected_count, observed_value, sample, message
           from reporting.rpt_check_results_latest order by unexpected_count""",
    )
    assert rows == _check_rows(NEWER)
