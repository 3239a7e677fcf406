"""Self-contained HTML reports (`riskman report`): the policy backtest and the morning report."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ml.config import load_backtest_config
from ml.reports.backtest_page import render_backtest_page
from ml.reports.morning_page import render_morning_page
from ml.reports.stored import load_morning, load_policy_run

BACKTEST_PAGE, MORNING_PAGE = "backtest.html", "morning.html"


@dataclass(frozen=True)
class WrittenReports:
    backtest: Path
    morning: Path


def _write(path: Path, text: str) -> Path:
    """Temp name then rename: a reader never sees a half-written page."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return path


def write_reports(db_path: Path, out_dir: Path, run_id: str | None = None) -> WrittenReports:
    out_dir.mkdir(parents=True, exist_ok=True)
    backtest = render_backtest_page(load_policy_run(db_path, run_id), load_backtest_config())
    morning = render_morning_page(load_morning(db_path))
    return WrittenReports(_write(out_dir / BACKTEST_PAGE, backtest), _write(out_dir / MORNING_PAGE, morning))


def write_morning_report(db_path: Path, out_dir: Path) -> Path:
    """The morning report alone: the daily flow's page, which needs predictions, not a policy
    backtest (that page is the weekly flow's)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return _write(out_dir / MORNING_PAGE, render_morning_page(load_morning(db_path)))
