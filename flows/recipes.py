"""The three flows. Each is a short recipe: its docstring lists the steps, the steps are tasks
(flows.steps) run on a staged copy of the warehouse (flows.staged)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow

from flows import steps
from flows.staged import run_staged
from riskman import settings
from riskman.trading_calendar import is_trading_day, previous_trading_day


def _paths(db: str | None, report_dir: str | None) -> tuple[Path, Path]:
    db_path = settings.warehouse_path(Path(db) if db else None)
    return db_path, Path(report_dir) if report_dir else db_path.parent / "reports"


@flow(name="daily")
def daily(
    db: str | None = None,
    exports: str | None = None,
    api: bool = False,
    report_dir: str | None = None,
    skip_holidays: bool = False,
) -> dict:
    """Before the open: new exports (the previous trading day from the API with `api`, else
    whatever is new in `exports`) → ingest → dbt build and data checks → predict → monitor
    (drift, model health, alerts delivered) → morning report. With `skip_holidays` (the
    schedule), a day the market is closed does nothing."""
    db_path, reports = _paths(db, report_dir)
    if skip_holidays and not is_trading_day(date.today()):
        return {"skipped": f"{date.today()} is not a trading day"}
    if api:
        day = previous_trading_day(date.today())
        folder = steps.download(day, day, Path(exports) if exports else None)
    else:
        folder = Path(exports) if exports else settings.data_dir() / "exports"
    return run_staged(
        "daily",
        db_path,
        [
            ("ingest", lambda work: steps.ingest(folder, work)),
            ("build", steps.build),
            ("predict", steps.predict),
            ("monitor", lambda work: steps.monitor_step(work, reports)),
            ("report", lambda work: steps.morning_report(work, reports)),
        ],
    )


@flow(name="weekly_retrain")
def weekly_retrain(
    db: str | None = None, report_dir: str | None = None, step_days: int | None = None
) -> dict:
    """Sunday night: walk-forward backtest and the policy backtest on it → retrain, promoted only
    if the challenger beats the champion on unseen rows → weekly report."""
    db_path, reports = _paths(db, report_dir)
    return run_staged(
        "weekly_retrain",
        db_path,
        [
            ("backtest", lambda work: steps.backtest(work, step_days)),
            ("train", steps.train),
            ("report", lambda work: steps.reports(work, reports)),
        ],
    )


@flow(name="monthly_review")
def monthly_review(db: str | None = None, report_dir: str | None = None) -> dict:
    """First weekend of the month: the full historical backtest at the default protocol with the
    policy backtest (parameters reselected walk-forward) → monitor (importance stability across
    retrains, model health over the history) → reports."""
    db_path, reports = _paths(db, report_dir)
    return run_staged(
        "monthly_review",
        db_path,
        [
            ("backtest", lambda work: steps.backtest(work, None)),
            ("monitor", lambda work: steps.monitor_step(work, reports)),
            ("report", lambda work: steps.reports(work, reports)),
        ],
    )


FLOWS = {"daily": daily, "weekly_retrain": weekly_retrain, "monthly_review": monthly_review}
