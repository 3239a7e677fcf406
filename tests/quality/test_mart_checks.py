"""The mart suites on small hand-built marts: reconciliation, calendar, P&L outliers, features."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from riskman.quality import QualityReport, run_data_checks
from riskman.quality.mart_suites import mart_checks

DAYS = 100
FEATURE_MODEL = "feat_demo"


def trader_days(unreconciled: int = 0, gap: bool = False, outlier: float = 0.0) -> pd.DataFrame:
    """Two traders, DAYS active days each, net P&L +/-100 (robust sigma 148), all reconciled but
    the first `unreconciled` of T1; `gap` drops T1's day 50; `outlier` is T2's P&L on day 10."""
    rows = []
    for trader in ("T1", "T2"):
        for n in range(1, DAYS + 1):
            pnl = outlier if (trader, n) == ("T2", 10) and outlier else (100.0 if n % 2 else -100.0)
            issue = "fees_mismatch" if trader == "T1" and n <= unreconciled else None
            rows.append(
                {
                    "trader_id": trader,
                    "trade_date": date(2018, 1, 1) + timedelta(days=n),
                    "trading_day_number": n,
                    "is_active": True,
                    "net_pnl": pnl,
                    "gross_pnl": pnl + 10,
                    "total_fees": 10.0,
                    "fills_count": 20,
                    "shares_traded": 2000,
                    "is_reconciled": issue is None,
                    "reconciliation_issue": issue,
                }
            )
    frame = pd.DataFrame(rows)
    return frame[~((frame.trader_id == "T1") & (frame.trading_day_number == 50))] if gap else frame


def features(stale: bool = False, share_above_one: bool = False) -> pd.DataFrame:
    """feat_demo: a share in [0, 1] (but one row when `share_above_one`), a feature null on 60%
    of rows; `stale` drops the last day."""
    days = trader_days()
    frame = pd.DataFrame({"trader_id": days.trader_id, "as_of_date": days.trade_date})
    frame["win_share"] = [1.5 if i == 0 and share_above_one else 0.5 for i in range(len(frame))]
    frame["sparse_ratio"] = [None if i % 5 < 3 else 2.0 for i in range(len(frame))]
    return frame[frame.as_of_date < frame.as_of_date.max()] if stale else frame


def manifest(folder: Path) -> Path:
    """A dbt manifest with one feature model, as ml.features reads it."""
    columns = {
        name: {"name": name, "config": {"meta": {"feature": name not in ("trader_id", "as_of_date")}}}
        for name in ("trader_id", "as_of_date", "win_share", "sparse_ratio")
    }
    node = {
        "resource_type": "model",
        "name": FEATURE_MODEL,
        "path": f"marts/features/{FEATURE_MODEL}.sql",
        "schema": "features",
        "columns": columns,
    }
    path = folder / "manifest.json"
    path.write_text(json.dumps({"nodes": {f"model.riskman.{FEATURE_MODEL}": node}}))
    return path


def run_marts(folder: Path, days: pd.DataFrame, feats: pd.DataFrame | None = None) -> QualityReport:
    db = folder / "marts.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema core")
        con.execute("create table core.fct_trader_days as select * from days")
        if feats is not None:
            con.execute("create schema features")
            con.execute(f"create table features.{FEATURE_MODEL} as select * from feats")
    checks = mart_checks(manifest=manifest(folder))
    return run_data_checks(db, gx_dir=folder / "expectations", checks=checks)


def failed(report: QualityReport) -> dict[tuple[str, str | None], set[str]]:
    found: dict[tuple[str, str | None], set[str]] = {}
    for result in report.failures:
        found.setdefault((result.suite, result.column_name), set()).add(result.severity)
    return found


@pytest.fixture(scope="module")
def sound(tmp_path_factory) -> QualityReport:
    """One unreconciled day in 200 (0.5%) and a 20-sigma day: warnings only."""
    return run_marts(
        tmp_path_factory.mktemp("sound"), trader_days(unreconciled=1, outlier=3000.0), features()
    )


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> QualityReport:
    """10 unreconciled days in 199 (5%), a calendar gap, a 670-sigma day, stale features, a bad share."""
    days = trader_days(unreconciled=10, gap=True, outlier=100_000.0)
    return run_marts(tmp_path_factory.mktemp("broken"), days, features(stale=True, share_above_one=True))


def test_sound_marts_raise_warnings_only(sound):
    assert sound.ok, sound.summary()
    assert failed(sound) == {
        ("fct_trader_days", "chk_reconciliation"): {"warning"},
        ("fct_trader_days", "chk_net_pnl_robust_sigmas"): {"warning"},
        ("features_feat_demo", "sparse_ratio"): {"warning"},
    }


def test_a_share_above_one_is_critical(broken):
    share = [r for r in broken.failures if r.column_name == "win_share"]
    assert [(r.severity, r.unexpected_count) for r in share] == [("critical", 1)]


def test_over_two_percent_unreconciled_days_is_critical(broken):
    assert failed(broken)[("fct_trader_days", "chk_reconciliation")] == {"warning", "critical"}


def test_a_missing_trading_day_is_critical_and_names_the_trader(broken):
    (gap,) = [r for r in broken.failures if r.suite == "fct_trader_days_calendar"]
    assert gap.severity == "critical"
    assert json.loads(gap.sample)[0]["trader_id"] == "T1"


def test_pnl_outliers_are_graded_by_how_far_they_are(broken):
    outliers = {r.severity for r in broken.failures if r.column_name == "chk_net_pnl_robust_sigmas"}
    assert outliers == {"warning", "critical"}


def test_features_older_than_the_last_trade_date_are_critical(broken):
    (stale,) = [r for r in broken.failures if r.expectation_type == "expect_column_max_to_be_between"]
    assert (stale.suite, stale.column_name, stale.severity) == (
        "features_feat_demo",
        "as_of_date",
        "critical",
    )


def test_a_feature_mart_without_its_table_is_skipped(tmp_path):
    report = run_marts(tmp_path, trader_days())
    assert report.skipped == {"features_feat_demo": "table missing: features.feat_demo"}
