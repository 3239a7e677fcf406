"""The raw landing suites on the tiny demo firm: clean, corrupted, and merely suspicious."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from riskman.quality import QualityReport, run_data_checks
from riskman.quality.mart_suites import mart_checks
from riskman.quality.raw_suites import raw_checks
from tests.firms import copy_warehouse

# A row copied from a real fill, so that only the named column is wrong.
BAD_FILL = "insert into raw.fills by name select * replace ({change}) from raw.fills limit 1"


def run(db: Path, gx_dir: Path) -> QualityReport:
    # No manifest: the mart suites are the fixed ones, skipped here because raw has no marts.
    checks = raw_checks() + mart_checks(manifest=gx_dir / "no-manifest.json")
    return run_data_checks(db, gx_dir=gx_dir, checks=checks)


@pytest.fixture(scope="module")
def clean(tiny_raw_warehouse, tmp_path_factory) -> QualityReport:
    root = tmp_path_factory.mktemp("clean")
    return run(copy_warehouse(tiny_raw_warehouse, root), root / "expectations")


@pytest.fixture(scope="module")
def corrupted(tiny_raw_warehouse, tmp_path_factory) -> tuple[QualityReport, Path]:
    root = tmp_path_factory.mktemp("corrupted")
    db = copy_warehouse(
        tiny_raw_warehouse,
        root,
        BAD_FILL.format(change="-5 as qty, 'NEG' as fill_id, 9001 as _source_line"),
        BAD_FILL.format(change="null as fill_id, 9002 as _source_line"),
    )
    return run(db, root / "expectations"), db


@pytest.fixture(scope="module")
def suspicious(tiny_raw_warehouse, tmp_path_factory) -> QualityReport:
    root = tmp_path_factory.mktemp("suspicious")
    db = copy_warehouse(
        tiny_raw_warehouse, root, BAD_FILL.format(change="'EUR' as currency, 'EUR1' as fill_id")
    )
    return run(db, root / "expectations")


@pytest.fixture(scope="module")
def dated(tiny_raw_warehouse, tmp_path_factory) -> QualityReport:
    """A genuine 1999 market close, a fill dated 1985 (misparsed), a totals row $1 off, and one
    2 cents off its cells by honest rounding: five fee cells of $0.0049 print as 0.00 while Net
    is rounded from the exact 10 - 0.0245 = 9.9755."""
    root = tmp_path_factory.mktemp("dated")
    db = copy_warehouse(
        tiny_raw_warehouse,
        root,
        "insert into raw.market_daily by name select * replace (date '1999-06-01' as market_date) "
        "from raw.market_daily where symbol = 'SPX' limit 1",
        BAD_FILL.format(change="date '1985-03-04' as trade_date, 'OLD1' as fill_id"),
        "insert into raw.totals_by_date by name select * replace (net - 1 as net, 'ZZZZ' as symbol) "
        "from raw.totals_by_date limit 1",
        "insert into raw.totals_by_date by name select * replace (10 as gross, 9.98 as net, 0 as comm,"
        " 0 as ecn_fee, 0 as sec, 0 as taf, 0 as clr, 'ROUND' as symbol) from raw.totals_by_date"
        " where comm is not null limit 1",
    )
    return run(db, root / "expectations")


def failed(report: QualityReport, severity: str) -> set[tuple[str, str, str | None]]:
    return {(r.suite, r.expectation_type, r.column_name) for r in report.failures if r.severity == severity}


def test_clean_demo_has_no_critical_failures(clean):
    assert clean.ok, clean.summary()
    assert clean.critical_failures == []
    assert {r.suite for r in clean.results} >= {
        "raw_schema",
        "raw_fills",
        "raw_totals_by_date",
        "raw_load_log",
    }


def test_mart_suites_without_their_tables_are_skipped_not_failed(clean):
    assert clean.skipped["fct_trader_days"] == "table missing: core.fct_trader_days"
    assert "skipped: fct_trader_days (table missing" in clean.summary()
    assert not any(r.suite.startswith("fct_") for r in clean.results)


def test_negative_quantity_is_a_critical_failure_naming_expectation_and_column(corrupted):
    report, _ = corrupted
    assert not report.ok
    qty = next(r for r in report.critical_failures if r.column_name == "qty")
    assert (qty.suite, qty.expectation_type, qty.unexpected_count) == (
        "raw_fills",
        "expect_column_values_to_be_between",
        1,
    )
    (row,) = json.loads(qty.sample)  # the failing row, by its key columns
    assert (float(row["qty"]), str(row["_source_line"])) == (-5.0, "9001")
    assert (
        "critical: raw_fills expect_column_values_to_be_between column=qty unexpected=1" in report.summary()
    )


def test_null_fill_key_is_a_critical_failure(corrupted):
    report, _ = corrupted
    assert ("raw_fills", "expect_column_values_to_not_be_null", "fill_id") in failed(report, "critical")


def test_results_land_in_check_results_one_row_per_expectation(corrupted):
    report, db = corrupted
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select run_id, suite, expectation_type, column_name, severity, success, unexpected_count "
            "from quality.check_results"
        ).fetchall()
    assert len(rows) == len(report.results)
    assert {row[0] for row in rows} == {report.run_id}
    assert ("raw_fills", "expect_column_values_to_be_between", "qty", "critical", False, 1) in {
        row[1:] for row in rows
    }


def test_warnings_are_reported_but_do_not_fail_the_run(suspicious):
    assert suspicious.ok, suspicious.summary()
    assert ("raw_fills", "expect_column_values_to_be_in_set", "currency") in failed(suspicious, "warning")
    assert "warning: raw_fills expect_column_values_to_be_in_set column=currency" in suspicious.summary()


def test_data_docs_index_exists_after_a_run(clean):
    assert clean.data_docs.name == "index.html"
    assert clean.data_docs.is_file()
    assert clean.data_docs.parent.name == "local_site"


def test_old_market_history_is_not_a_misparsed_date(dated):
    market = [r for r in dated.failures if r.suite == "raw_market_daily"]
    assert market == [], [r.describe() for r in market]


def test_a_trade_date_before_electronic_day_trading_is_critical(dated):
    (old,) = [r for r in dated.critical_failures if r.column_name == "trade_date"]
    assert (old.suite, old.expectation_type) == ("raw_fills", "expect_column_min_to_be_between")


def test_honest_cent_rounding_of_report_cells_is_no_net_gap(clean, dated):
    gaps = [r.describe() for r in clean.failures if "net_gap" in (r.column_name or "")]
    assert gaps == []
    (gap,) = [r for r in dated.failures if "net_gap" in (r.column_name or "")]
    assert gap.unexpected_count == 1, "only the row a dollar off, not the honestly rounded one"


def test_a_report_row_a_dollar_off_its_own_cells_is_a_warning(dated):
    (gap,) = [r for r in dated.failures if r.column_name == "chk_net_gap_beyond_rounding"]
    assert (gap.suite, gap.severity, gap.unexpected_count) == ("raw_totals_by_date", "warning", 1)
