"""Performance of a daily P&L series on a fixed capital (docs/architecture.md §7 conventions).

Dollars on an explicit capital, 252 trading days a year, arithmetic (non-compounded) drawdowns:
a prop firm's P&L does not compound into the traders' limits. Sharpe, Sortino and volatility use
empyrical-reloaded's definitions on the return series `pnl / capital` (tested for parity);
drawdowns are measured on the cumulative dollar P&L, so they are in dollars and in % of capital
(empyrical compounds, which a fixed-capital book does not).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import norm

DAYS_PER_YEAR = 252
EULER_GAMMA = 0.5772156649015329


def daily_returns(pnl: np.ndarray, capital: float) -> np.ndarray:
    if capital <= 0:
        raise ValueError(f"capital must be positive, got {capital}")
    return np.asarray(pnl, dtype=float) / capital


def sharpe_ratio(returns: np.ndarray) -> float:
    """Annualised mean over sample std (ddof 1), risk-free 0, as empyrical.sharpe_ratio."""
    r = np.asarray(returns, dtype=float)
    std = r.std(ddof=1)
    return float(r.mean() / std * math.sqrt(DAYS_PER_YEAR)) if std > 0 else float("nan")


def downside_risk(returns: np.ndarray) -> float:
    """Annualised root mean square of the negative returns, as empyrical.downside_risk."""
    r = np.minimum(np.asarray(returns, dtype=float), 0.0)
    return float(math.sqrt(np.mean(r**2)) * math.sqrt(DAYS_PER_YEAR))


def sortino_ratio(returns: np.ndarray) -> float:
    """Annualised mean over downside risk, as empyrical.sortino_ratio (required return 0)."""
    risk = downside_risk(returns)
    return float(np.mean(returns) * DAYS_PER_YEAR / risk) if risk > 0 else float("nan")


def annual_volatility(returns: np.ndarray) -> float:
    return float(np.asarray(returns, dtype=float).std(ddof=1) * math.sqrt(DAYS_PER_YEAR))


def drawdown_usd(pnl: np.ndarray) -> np.ndarray:
    """Per day: cumulative P&L minus its running peak (the peak starts at 0), ≤ 0, in dollars."""
    cumulative = np.cumsum(np.asarray(pnl, dtype=float))
    return cumulative - np.maximum.accumulate(np.maximum(cumulative, 0.0))


def max_drawdown_usd(pnl: np.ndarray) -> float:
    """The deepest drawdown in dollars, as a negative number (0 when never below a peak)."""
    return float(drawdown_usd(pnl).min(initial=0.0))


def longest_time_under_water(pnl: np.ndarray) -> int:
    """The longest run of days spent below the running peak."""
    longest = current = 0
    for under in drawdown_usd(pnl) < 0:
        current = current + 1 if under else 0
        longest = max(longest, current)
    return longest


def calmar_ratio(pnl: np.ndarray, capital: float) -> float:
    """Annual arithmetic return on capital over the max drawdown in % of capital."""
    deepest = -max_drawdown_usd(pnl) / capital
    annual = float(np.mean(pnl)) * DAYS_PER_YEAR / capital
    return annual / deepest if deepest > 0 else float("nan")


def hit_rate(pnl: np.ndarray) -> float:
    """Share of days with positive P&L among days with any P&L."""
    p = np.asarray(pnl, dtype=float)
    traded = p != 0
    return float((p[traded] > 0).mean()) if traded.any() else float("nan")


def saved_and_forgone(baseline_pnl: np.ndarray, policy_pnl: np.ndarray) -> tuple[float, float]:
    """What a policy changed against doing nothing: dollars saved on the baseline's losing days
    (baseline − policy loss, ≥ 0 when it cut size) and forgone on its winning days."""
    base, policy = np.asarray(baseline_pnl, dtype=float), np.asarray(policy_pnl, dtype=float)
    losing, winning = base < 0, base > 0
    return float(np.sum(policy[losing] - base[losing])), float(np.sum(base[winning] - policy[winning]))


def performance_summary(pnl: np.ndarray, capital: float) -> dict[str, float]:
    returns = daily_returns(pnl, capital)
    deepest = max_drawdown_usd(pnl)
    return {
        "total_pnl_usd": float(np.sum(pnl)),
        "sharpe": sharpe_ratio(returns),
        "sortino": sortino_ratio(returns),
        "calmar": calmar_ratio(pnl, capital),
        "annual_volatility": annual_volatility(returns),
        "max_drawdown_usd": deepest,
        "max_drawdown_pct_capital": deepest / capital,
        "longest_days_under_water": float(longest_time_under_water(pnl)),
        "hit_rate": hit_rate(pnl),
    }


def expected_max_sharpe(n_trials: int, sharpe_variance: float) -> float:
    """The Sharpe ratio the best of `n_trials` skill-less trials reaches by luck (per period)."""
    if n_trials <= 1:
        return 0.0
    return math.sqrt(sharpe_variance) * (
        (1 - EULER_GAMMA) * norm.ppf(1 - 1 / n_trials) + EULER_GAMMA * norm.ppf(1 - 1 / (n_trials * math.e))
    )


def deflated_sharpe_ratio(returns: np.ndarray, n_trials: int, sharpe_variance: float | None = None) -> float:
    """Probability that the true (per-period) Sharpe exceeds what the best of `n_trials` trials
    would show by luck (Bailey & López de Prado, 2014), given the series' skew and kurtosis.

    `sharpe_variance` is the variance of the per-period Sharpe ratios across the trials; by
    default the variance of one Sharpe estimate, 1 / (T − 1).
    """
    r = np.asarray(returns, dtype=float)
    t = len(r)
    sr = r.mean() / r.std(ddof=1)
    centred = r - r.mean()
    skew = np.mean(centred**3) / np.std(r) ** 3
    kurtosis = np.mean(centred**4) / np.std(r) ** 4
    variance = sharpe_variance if sharpe_variance is not None else 1 / (t - 1)
    benchmark = expected_max_sharpe(n_trials, variance)
    spread = math.sqrt(1 - skew * sr + (kurtosis - 1) / 4 * sr**2)
    return float(norm.cdf((sr - benchmark) * math.sqrt(t - 1) / spread))
