"""`riskman build` on firms from periods the offline market data covers only in part: a market
series that does not cover the firm's days is expected, not a critical finding, and the summary
says why its features are null."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from riskman.demo_firm import generate_demo_firm
from riskman.ingest import ingest_folder
from riskman.quality import run_data_checks
from tests.compare import read
from tests.firms import copy_warehouse

pytestmark = pytest.mark.slow
PERIODS = {
    # S&P 500 in the data, VIX not yet (arch's VIX starts in 2014).
    "2007": (date(2007, 1, 3), date(2007, 4, 30)),
    # After both series end (S&P 500 2018, VIX early 2019): the calendar is weekdays.
    "2020": (date(2020, 1, 6), date(2020, 4, 30)),
}


@pytest.fixture(scope="module", params=sorted(PERIODS))
def built(request, tmp_path_factory) -> tuple[str, Path, str, int]:
    """(period, warehouse, `riskman build` output, exit code) for a tiny firm of that period."""
    start, end = PERIODS[request.param]
    root = tmp_path_factory.mktemp(f"period_{request.param}")
    generate_demo_firm(root / "exports", traders=4, start=start, end=end, seed=5)
    db = root / "warehouse.duckdb"
    assert ingest_folder(root / "exports", db).usable
    riskman = Path(sys.executable).with_name("riskman")
    result = subprocess.run([riskman, "build", "--db", str(db)], capture_output=True, text=True, check=False)
    return request.param, db, result.stdout, result.returncode


def test_the_build_passes(built):
    period, _, output, exit_code = built
    assert exit_code == 0, f"{period}:\n{output}"
    assert "failed: critical 0" in output


def test_vix_features_are_null_and_the_summary_says_why(built):
    _, db, output, _ = built
    vix = read(db, "select count(*) as n, count(vix_close) as with_vix from features.feat_market_vix")
    assert vix.n[0] > 0 and vix.with_vix[0] == 0
    assert (
        "skipped: features_feat_market_vix_within_vix (no trader-day inside the VIX series' coverage"
        in output
    )
    assert "warning: market_coverage" in output and "symbol=VIX" in output


def test_sp500_features_follow_the_sp500_coverage(built):
    period, db, output, _ = built
    spx = read(
        db, "select count(*) as n, count(spx_realized_vol_20d) as with_spx from features.feat_market_regime"
    )
    if period == "2007":
        assert spx.with_spx[0] > 0.9 * spx.n[0]
        assert "skipped: features_feat_market_regime_within_spx" not in output
    else:
        assert spx.with_spx[0] == 0
        assert "skipped: features_feat_market_regime_within_spx" in output


def test_the_2016_tiny_firm_has_no_critical_finding(tiny_built_warehouse, tmp_path):
    report = run_data_checks(copy_warehouse(tiny_built_warehouse, tmp_path), gx_dir=tmp_path / "gx")
    assert report.ok, report.summary()
