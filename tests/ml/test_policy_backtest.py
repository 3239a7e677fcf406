"""The policy backtest on the ML firm's out-of-sample predictions: point in time (a perturbation
of everything from a day D on changes no decision up to D), doing nothing is the firm's actual P&L,
every policy is scored on the same days, and the metrics agree with empyrical-reloaded on the
policies' own return series."""

from __future__ import annotations

import copy

import duckdb
import empyrical
import numpy as np
import pandas as pd
import pytest

from ml.backtest_engine import LookAhead, reselection_starts, signal_rows
from ml.baselines import baseline_scores
from ml.config import load_backtest_config
from ml.policy_backtest import NO_INTERVENTION, PolicyInputs, daily_rows, run_policy_backtest
from ml.policy_jobs import load_trader_outcomes

pytestmark = pytest.mark.slow


def small_config() -> dict:
    """config/backtest.yaml with a selection history the ML firm's few months can give."""
    config = copy.deepcopy(load_backtest_config())
    config["selection"].update(min_history_days=40, reselect_every_days=21)
    config["bootstrap"]["reps"] = 200
    return config


@pytest.fixture(scope="module")
def policy_inputs(ml_firm_backtest, ml_firm_warehouse) -> PolicyInputs:
    with duckdb.connect(str(ml_firm_warehouse), read_only=True) as con:
        trader_days, limits = load_trader_outcomes(con)
    predictions = ml_firm_backtest.predictions[
        ["trader_id", "as_of_date", "target_date", "p_loss", "p_large_loss", "var_95_usd"]
    ].copy()
    return PolicyInputs("in-memory", predictions, trader_days, limits)


@pytest.fixture(scope="module")
def result(policy_inputs):
    return run_policy_backtest(policy_inputs, small_config())


def scrambled_from(inputs: PolicyInputs, day: pd.Timestamp, seed: int = 5) -> PolicyInputs:
    """Every outcome on and after `day` (P&L, fees, whether the trader traded) and every
    prediction made at a close on or after it, shuffled."""
    rng = np.random.default_rng(seed)
    days = inputs.trader_days.copy()
    late = days["trade_date"] >= day
    for column in ("net_pnl", "total_fees", "is_active"):
        days.loc[late, column] = rng.permutation(days.loc[late, column].to_numpy())
    days.loc[late, "net_pnl"] *= 3.0
    predictions = inputs.predictions.copy()
    made_late = predictions["as_of_date"] >= day
    for column in ("p_loss", "p_large_loss", "var_95_usd"):
        predictions.loc[made_late, column] = rng.permutation(predictions.loc[made_late, column].to_numpy())
    return PolicyInputs(inputs.predictions_run_id, predictions, days, inputs.loss_limits)


@pytest.mark.parametrize("offset", [0, 1], ids=["on a reselection day", "the day after"])
def test_no_decision_up_to_a_day_sees_that_day_or_later(policy_inputs, result, offset):
    """D is a day parameters are chosen again (the choice must use the days before it only), or
    the day after (sizes must use the close before only)."""
    dates, selection = result.replay.dates, small_config()["selection"]
    starts = [
        s
        for s in reselection_starts(dates, selection["reselect_every_days"])
        if s >= selection["min_history_days"]
    ]
    day = dates[starts[len(starts) // 2] + offset]
    perturbed = run_policy_backtest(scrambled_from(policy_inputs, day), small_config())
    upto = dates <= day
    changed_after = 0
    for name, decision in result.decisions.items():
        other = perturbed.decisions[name]
        np.testing.assert_array_equal(decision.book.size[upto], other.book.size[upto], err_msg=name)
        assert [s for s in decision.schedule if s[0] <= day] == [s for s in other.schedule if s[0] <= day], (
            name
        )
        changed_after += int((decision.book.size[~upto] != other.book.size[~upto]).sum())
    assert changed_after > 0, "the perturbation must reach the later decisions, or the test proves nothing"


def test_a_prediction_made_on_or_after_its_target_day_is_refused(policy_inputs):
    predictions = policy_inputs.predictions.copy()
    predictions.loc[predictions.index[0], "as_of_date"] = predictions["target_date"].iloc[0]
    days = policy_inputs.trader_days.rename(columns={"trade_date": "as_of_date"})
    with pytest.raises(LookAhead):
        signal_rows(predictions, baseline_scores(days), policy_inputs.loss_limits)


def test_doing_nothing_earns_exactly_the_firms_actual_net_pnl(policy_inputs, result):
    dates = result.replay.dates
    days = policy_inputs.trader_days
    span = days[(days["trade_date"] >= dates[0]) & (days["trade_date"] <= dates[-1]) & days["is_active"]]
    assert result.firm_pnl(NO_INTERVENTION).sum() == pytest.approx(span["net_pnl"].sum())
    assert (result.decisions[NO_INTERVENTION].book.change_cost == 0).all()


def test_every_policy_is_scored_on_the_same_trader_days(result):
    rows = daily_rows(result)
    keys = {
        name: set(zip(g["trader_id"], g["target_date"], strict=True)) for name, g in rows.groupby("policy")
    }
    first = next(iter(keys.values()))
    assert all(k == first for k in keys.values())
    assert len(keys) == len(result.decisions)


def test_a_policy_that_cuts_size_is_charged_for_the_changes(result):
    cut = result.decisions["large_loss_cut"].book
    assert (cut.size < 1).any(), "the ML firm should give the model policy something to cut"
    assert cut.change_cost.sum() > 0


def test_firm_metrics_agree_with_empyrical_on_each_policys_return_series(result):
    firm = result.metrics[result.metrics["trader_id"].isna()].set_index(["policy", "metric"])["value"]
    for name in result.decisions:
        returns = pd.Series(result.firm_pnl(name) / result.capital_usd, index=result.replay.dates)
        assert firm[(name, "sharpe")] == pytest.approx(empyrical.sharpe_ratio(returns), nan_ok=True), name
        assert firm[(name, "sortino")] == pytest.approx(empyrical.sortino_ratio(returns), nan_ok=True), name
        assert firm[(name, "annual_volatility")] == pytest.approx(empyrical.annual_volatility(returns)), name


def test_each_comparison_is_the_difference_of_the_two_policies_metrics(result):
    firm = result.metrics[result.metrics["trader_id"].isna()].set_index(["policy", "metric"])["value"]
    for row in result.comparisons.itertuples():
        expected = firm[(row.policy, row.metric)] - firm[(row.versus, row.metric)]
        assert row.difference == pytest.approx(expected), row
        assert row.ci_low <= row.ci_high
    versus = set(result.comparisons["versus"])
    assert versus == {NO_INTERVENTION, result.best_rule}


def test_the_verdict_and_checks_say_plainly_what_happened(result):
    assert result.best_model in result.verdict and "Goal: cut max drawdown" in result.verdict
    assert [c.name for c in result.checks][-2:] == ["direction accuracy of P(loss)", "failed predictions"]
    assert all(isinstance(c.passed, bool) for c in result.checks)
