"""The mart suites on small hand-built marts: reconciliation, calendar, P&L outliers, features."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from riskman.dbt import project_vars
from riskman.quality import QualityReport, run_data_checks
from riskman.quality.mart_suites import mart_checks

DAYS = 100
FEATURE_MODEL = "feat_demo"
DEPARTS_AFTER = project_vars()["departed_after_idle_trading_days"]
# T2 stops after day 40, departs on his N-th idle day, and is back on day 40 + N + 5.
LAST_BEFORE_LEAVING, BACK_ON = 40, 40 + DEPARTS_AFTER + 5
VIX_FROM_DAY = 71  # the VIX series starts 70 days into the period


def _day(n: int) -> date:
    return date(2018, 1, 1) + timedelta(days=n)


def _t2_idle_trading_days(n: int) -> int | None:
    """T2's idle count on day n; None on the days he is departed (off the spine)."""
    if LAST_BEFORE_LEAVING < n < BACK_ON:
        idle = n - LAST_BEFORE_LEAVING
        return idle if idle < DEPARTS_AFTER else None
    return 0


def trader_days(unreconciled: int = 0, gap: bool = False, outlier: float = 0.0) -> pd.DataFrame:
    """Two traders over DAYS days, net P&L +/-100 (robust sigma 148), all reconciled but the
    first `unreconciled` of T1; T2 leaves and comes back (a legitimate gap in his rows); `gap`
    drops T1's day 50; `outlier` is T2's P&L on day 10."""
    rows = []
    for trader in ("T1", "T2"):
        for n in range(1, DAYS + 1):
            idle = _t2_idle_trading_days(n) if trader == "T2" else 0
            if idle is None:
                continue
            pnl = outlier if (trader, n) == ("T2", 10) and outlier else (100.0 if n % 2 else -100.0)
            issue = "fees_mismatch" if trader == "T1" and n <= unreconciled else None
            active = idle == 0
            rows.append(
                {
                    "trader_id": trader,
                    "trade_date": _day(n),
                    "trading_day_number": n,
                    "is_active": active,
                    "idle_trading_days": idle,
                    "net_pnl": pnl if active else 0.0,
                    "gross_pnl": pnl + 10 if active else 0.0,
                    "total_fees": 10.0 if active else 0.0,
                    "fills_count": 20 if active else 0,
                    "shares_traded": 2000 if active else 0,
                    "is_reconciled": (issue is None) if active else None,
                    "reconciliation_issue": issue,
                }
            )
    frame = pd.DataFrame(rows)
    return frame[~((frame.trader_id == "T1") & (frame.trading_day_number == 50))] if gap else frame


def features(
    stale: bool = False, share_above_one: bool = False, vix_from: int = VIX_FROM_DAY
) -> pd.DataFrame:
    """feat_demo: a share in [0, 1] (but one row when `share_above_one`), a feature null on 60%
    of rows, a VIX feature null before the VIX series starts on day `vix_from` (by default 70%
    of rows); `stale` drops the last day."""
    days = trader_days()
    frame = pd.DataFrame({"trader_id": days.trader_id, "as_of_date": days.trade_date})
    frame["win_share"] = [1.5 if i == 0 and share_above_one else 0.5 for i in range(len(frame))]
    frame["sparse_ratio"] = [None if i % 5 < 3 else 2.0 for i in range(len(frame))]
    frame["vix_level"] = [20.0 if n >= vix_from else None for n in days.trading_day_number]
    return frame[frame.as_of_date < frame.as_of_date.max()] if stale else frame


def market(first_day: int = VIX_FROM_DAY, last_day: int = DAYS) -> pd.DataFrame:
    """raw.market_daily with VIX closes from `first_day` to `last_day`."""
    days = [_day(n) for n in range(first_day, last_day + 1)]
    return pd.DataFrame({"symbol": "VIX", "market_date": days, "close": 20.0})


def manifest(folder: Path) -> Path:
    """A dbt manifest with one feature model, as riskman.feature_catalog reads it."""
    columns = {
        name: {"name": name, "config": {"meta": {"feature": name not in ("trader_id", "as_of_date")}}}
        for name in ("trader_id", "as_of_date", "win_share", "sparse_ratio")
    }
    columns["vix_level"] = {"name": "vix_level", "config": {"meta": {"market_symbol": "VIX"}}}
    node = {
        "resource_type": "model",
        "name": FEATURE_MODEL,
        "path": f"marts/features/{FEATURE_MODEL}.sql",
        "schema": "features",
        "config": {"meta": {"feature": True}},
        "columns": columns,
    }
    path = folder / "manifest.json"
    path.write_text(json.dumps({"nodes": {f"model.riskman.{FEATURE_MODEL}": node}}))
    return path


def run_marts(
    folder: Path, days: pd.DataFrame, feats: pd.DataFrame | None = None, closes: pd.DataFrame | None = None
) -> QualityReport:
    db = folder / "marts.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema core")
        con.execute("create table core.fct_trader_days as select * from days")
        if feats is not None:
            con.execute("create schema features")
            con.execute(f"create table features.{FEATURE_MODEL} as select * from feats")
        if closes is not None:
            con.execute("create schema raw")
            con.execute("create table raw.market_daily (symbol varchar, market_date date, close double)")
            con.execute("insert into raw.market_daily select * from closes")
    checks = mart_checks(manifest=manifest(folder))
    return run_data_checks(db, gx_dir=folder / "expectations", checks=checks)


def failed(report: QualityReport) -> dict[tuple[str, str | None], set[str]]:
    found: dict[tuple[str, str | None], set[str]] = {}
    for result in report.failures:
        found.setdefault((result.suite, result.column_name), set()).add(result.severity)
    return found


@pytest.fixture(scope="module")
def sound(tmp_path_factory) -> QualityReport:
    """One unreconciled day in 200 (0.5%), a 20-sigma day, a VIX series covering 30% of the
    days: warnings only."""
    days = trader_days(unreconciled=1, outlier=3000.0)
    return run_marts(tmp_path_factory.mktemp("sound"), days, features(), market())


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> QualityReport:
    """10 unreconciled days in 199 (5%), a calendar gap, a 670-sigma day, stale features, a bad share."""
    days = trader_days(unreconciled=10, gap=True, outlier=100_000.0)
    feats = features(stale=True, share_above_one=True)
    return run_marts(tmp_path_factory.mktemp("broken"), days, feats, market())


def test_sound_marts_raise_warnings_only(sound):
    assert sound.ok, sound.summary()
    assert failed(sound) == {
        ("fct_trader_days", "chk_reconciliation"): {"warning"},
        ("fct_trader_days", "chk_net_pnl_robust_sigmas"): {"warning"},
        ("features_feat_demo", "sparse_ratio"): {"warning"},
        ("market_coverage", "trader_days_outside"): {"warning"},
    }


def test_a_departure_and_return_is_no_calendar_gap(sound):
    assert len(trader_days().query("trader_id == 'T2' and trading_day_number > 40")) < DAYS - 40
    assert not [r for r in sound.failures if r.suite == "fct_trader_days_calendar"]


def test_a_market_feature_is_judged_inside_its_series_coverage_only(sound):
    within = [r for r in sound.results if r.suite == "features_feat_demo_within_vix"]
    assert {r.column_name for r in within} == {"vix_level"} and all(r.success for r in within)
    (coverage,) = [r for r in sound.failures if r.suite == "market_coverage"]
    assert json.loads(coverage.sample)[0]["symbol"] == "VIX"


def test_a_market_series_that_covers_no_trader_day_skips_its_null_rates(tmp_path):
    days = trader_days()
    report = run_marts(tmp_path, days, features(vix_from=DAYS + 10), market(DAYS + 10, DAYS + 40))
    assert report.ok, report.summary()
    assert "VIX series' coverage" in report.skipped["features_feat_demo_within_vix"]
    assert "skipped: features_feat_demo_within_vix" in report.summary()


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
    assert report.skipped["features_feat_demo"] == "table missing: features.feat_demo"
