"""`riskman backtest` runs the policy backtest and prints the comparison; `riskman report` writes the
two self-contained pages, which render in headless Chromium with no console error; the results are
in ml.backtest_* and the reporting marts."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from ml.cli import app
from ml.config import load_backtest_config
from tests.browser import render_page
from tests.firms import copy_warehouse

pytestmark = pytest.mark.slow
POLICIES = list(load_backtest_config()["policies"])


def query(db, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).df()


def test_backtest_prints_every_policy_and_the_verdict(commands_run):
    _, outputs, _ = commands_run
    first = outputs["backtest"][0]
    assert first.exit_code == 0, first.output
    assert "policy backtest policy-" in first.output
    for policy in POLICIES:
        assert policy in first.output
    assert "The best model policy" in first.output and "Goal: cut max drawdown" in first.output


def test_a_second_backtest_on_the_same_inputs_writes_no_second_policy_run(commands_run):
    db, outputs, _ = commands_run
    second = outputs["backtest"][1]
    assert second.exit_code == 0, second.output
    assert "(unchanged: the same predictions, data and config as before)" in second.output
    assert len(query(db, "select * from ml.backtest_runs")) == 1


def test_the_reporting_marts_show_every_policy_of_the_run(commands_run):
    db, _, _ = commands_run
    comparison = query(db, "select * from reporting.rpt_policy_comparison")
    assert sorted(comparison["policy"]) == sorted(POLICIES)
    metrics = query(
        db,
        "select policy, value from ml.backtest_metrics where trader_id is null and metric = 'total_pnl_usd'",
    ).set_index("policy")["value"]
    assert comparison.set_index("policy")["total_pnl_usd"].to_dict() == pytest.approx(metrics.to_dict())
    daily = query(db, "select policy, count(*) as days from reporting.rpt_policy_firm_daily group by policy")
    assert daily["days"].nunique() == 1 and len(daily) == len(POLICIES)


@pytest.mark.parametrize("page", ["backtest", "morning"])
def test_each_report_renders_its_charts_offline_with_no_console_error(commands_run, page):
    _, outputs, reports = commands_run
    assert outputs["report"][0].exit_code == 0, outputs["report"][0].output
    assert str(reports / f"{page}.html") in outputs["report"][0].output
    rendered = render_page(reports / f"{page}.html", f"report_{page}.png")
    assert rendered.console_errors == []
    assert rendered.chart_count == rendered.rendered_chart_count == (5 if page == "backtest" else 1)
    assert rendered.screenshot.stat().st_size > 10_000
    if page == "backtest":
        for words in (
            "Success metrics",
            "Sharpe ratio (best model policy)",
            "failed predictions",
            "no_intervention",
            "The best model policy",
            "always predicting the more common outcome",
        ):
            assert words in rendered.text
        assert "pass" in rendered.text or "fail" in rendered.text
    else:
        assert "riskiest traders" in rendered.text and "predicted vs realised" in rendered.text


def test_report_before_any_policy_backtest_says_what_to_run(tiny_built_warehouse, tmp_path):
    db = copy_warehouse(tiny_built_warehouse, tmp_path)
    result = CliRunner().invoke(app, ["report", "--db", str(db), "--out", str(tmp_path / "r")])
    assert result.exit_code == 1
    assert "run `riskman backtest` first" in result.output and "Traceback" not in result.output


def test_report_on_a_missing_warehouse_is_one_line(tmp_path):
    result = CliRunner().invoke(app, ["report", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "no warehouse at" in result.output and "Traceback" not in result.output


def test_a_backtest_config_missing_a_section_is_one_line_naming_it(commands_run, tmp_path):
    db, _, _ = commands_run
    config = tmp_path / "backtest.yaml"
    config.write_text("policies: {no_intervention: {family: none, rule: full_size}}\n")
    result = CliRunner().invoke(
        app,
        ["report", "--db", str(db), "--out", str(tmp_path / "r")],
        env={"RISKMAN_BACKTEST_CONFIG": str(config)},
    )
    assert result.exit_code == 1
    assert "lacks the section(s) capital, costs" in result.output and "Traceback" not in result.output
