"""Performance metrics: Sharpe, Sortino and volatility agree with empyrical-reloaded on the same
return series; drawdowns are arithmetic dollars on a fixed capital; the deflated Sharpe ratio
follows Bailey & López de Prado."""

from __future__ import annotations

import empyrical
import numpy as np
import pandas as pd
import pytest

from ml import performance

CAPITAL = 1_000_000.0


@pytest.fixture()
def pnl() -> np.ndarray:
    rng = np.random.default_rng(4)
    return rng.standard_t(4, 750) * 8_000 + 900  # three years of a desk's daily dollars


def test_ratios_agree_with_empyrical_on_the_same_return_series(pnl):
    returns = performance.daily_returns(pnl, CAPITAL)
    series = pd.Series(returns, index=pd.bdate_range("2016-01-04", periods=len(returns)))
    assert performance.sharpe_ratio(returns) == pytest.approx(empyrical.sharpe_ratio(series))
    assert performance.sortino_ratio(returns) == pytest.approx(empyrical.sortino_ratio(series))
    assert performance.downside_risk(returns) == pytest.approx(empyrical.downside_risk(series))
    assert performance.annual_volatility(returns) == pytest.approx(empyrical.annual_volatility(series))


def test_drawdowns_are_arithmetic_dollars_from_a_peak_that_starts_at_zero():
    pnl = np.array([100.0, -300.0, 50.0, 400.0, -100.0])  # cumulative 100, -200, -150, 250, 150
    assert performance.drawdown_usd(pnl).tolist() == [0.0, -300.0, -250.0, 0.0, -100.0]
    assert performance.max_drawdown_usd(pnl) == -300.0
    assert performance.longest_time_under_water(pnl) == 2
    # A trader who starts by losing is in drawdown from his first day.
    assert performance.drawdown_usd(np.array([-50.0, 20.0])).tolist() == [-50.0, -30.0]
    summary = performance.performance_summary(pnl, 10_000.0)
    assert summary["max_drawdown_pct_capital"] == pytest.approx(-0.03)
    assert summary["calmar"] == pytest.approx((30.0 * 252 / 10_000) / 0.03)


def test_saved_and_forgone_compare_a_policy_with_doing_nothing():
    base = np.array([-100.0, 200.0, -50.0, 0.0])
    policy = np.array([-50.0, 100.0, -50.0, 0.0])  # half size on the first two days
    assert performance.saved_and_forgone(base, policy) == (50.0, 100.0)


def test_the_deflated_sharpe_ratio_falls_with_the_number_of_trials(pnl):
    returns = performance.daily_returns(pnl, CAPITAL)
    one, many = (performance.deflated_sharpe_ratio(returns, n) for n in (1, 200))
    assert 0 < many < one < 1
    # With one trial it is the probabilistic Sharpe ratio against zero.
    r = returns
    sr = r.mean() / r.std(ddof=1)
    skew, kurt = pd.Series(r).skew(), pd.Series(r).kurt() + 3
    expected = performance.norm.cdf(
        sr * np.sqrt(len(r) - 1) / np.sqrt(1 - skew * sr + (kurt - 1) / 4 * sr**2)
    )
    assert one == pytest.approx(expected, abs=0.01)
