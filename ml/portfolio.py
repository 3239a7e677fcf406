"""PortfolioSimulator: the sizes a policy asks for → the sizes applied → the firm's P&L.

Everything is a days × traders matrix over the backtest's target dates. A trader's size is set on
its decision days (it has a signal row: it is on the spine, whether or not it then trades), from
what was known the close before; whether it trades that day is an outcome and never an input.
Day by day (state only flows forward, from earlier days' sizes):
1. a trader's size may change at most once in `min_days_between_changes` of its decision days;
   otherwise it keeps its last size;
2. with a firm budget, the day's tail dollars Σ size × |var_95_usd| are capped at the budget by
   cutting the riskiest traders' tail dollars to a common level (water-filling); a budget cut is
   always allowed;
3. P&L = size × the day's net P&L when it trades (P&L and fees scale with size) − the size-change
   cost (cost per unit × |size − the trader's previous size|).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SIZE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Frictions:
    change_cost_usd_per_unit: float
    min_days_between_changes: int


@dataclass(frozen=True)
class Book:
    """The simulated days × traders matrices: size on decision days (0 elsewhere), P&L and fees
    on the days it traded, change costs on decision days."""

    size: np.ndarray
    pnl: np.ndarray
    fees: np.ndarray
    change_cost: np.ndarray

    @property
    def firm_pnl(self) -> np.ndarray:
        return self.pnl.sum(axis=1)


def tail_budget_cap(tail_usd: np.ndarray, budget_usd: float) -> float:
    """The common cap τ on each trader's tail dollars with Σ min(tail, τ) = budget (inf when the
    day is within budget)."""
    tails = np.sort(tail_usd[tail_usd > 0])
    if tails.sum() <= budget_usd:
        return float("inf")
    # With the k smallest kept whole, the rest share what is left equally.
    kept = np.concatenate([[0.0], np.cumsum(tails)])
    for k in range(len(tails)):
        cap = (budget_usd - kept[k]) / (len(tails) - k)
        if cap <= tails[k]:
            return float(max(cap, 0.0))
    return float(tails[-1])


def simulate(
    desired: np.ndarray,
    decides: np.ndarray,
    active: np.ndarray,
    net_pnl: np.ndarray,
    fees: np.ndarray,
    frictions: Frictions,
    *,
    tail_usd: np.ndarray | None = None,
    budget_usd: float | None = None,
) -> Book:
    """Apply the change cap, the optional firm budget and the costs; see the module doc.

    desired, net_pnl, fees, tail_usd: days × traders; decides: bool, the trader's size is set that
    day; active: bool, the trader traded that day (an outcome: it only selects the P&L). tail_usd
    is |var_95_usd| at size 1 (NaN when unknown: not in the budget).
    """
    days, traders = desired.shape
    capped_size = np.ones(traders)  # the policy's size after the change cap
    applied_size = np.ones(traders)  # the size set on the trader's last decision day
    decisions = np.zeros(traders)  # the trader's decision days so far
    last_change = np.full(traders, -np.inf)
    size = np.zeros((days, traders))
    cost = np.zeros((days, traders))
    for t in range(days):
        today = decides[t]
        decisions[today] += 1
        wants = today & (np.abs(desired[t] - capped_size) > SIZE_TOLERANCE)
        allowed = wants & (decisions - last_change >= frictions.min_days_between_changes)
        capped_size = np.where(allowed, desired[t], capped_size)
        last_change = np.where(allowed, decisions, last_change)
        day_size = capped_size.copy()
        if budget_usd is not None and tail_usd is not None:
            tails = np.where(today & np.isfinite(tail_usd[t]), day_size * np.nan_to_num(tail_usd[t]), 0.0)
            cap = tail_budget_cap(tails, budget_usd)
            if np.isfinite(cap):
                over = tails > cap
                day_size[over] = cap / np.nan_to_num(tail_usd[t][over])
        cost[t] = np.where(today, frictions.change_cost_usd_per_unit * np.abs(day_size - applied_size), 0.0)
        applied_size = np.where(today, day_size, applied_size)
        size[t] = np.where(today | active[t], day_size, 0.0)
    pnl = np.where(active, size * net_pnl, 0.0) - cost
    return Book(size=size, pnl=pnl, fees=np.where(active, size * fees, 0.0), change_cost=cost)
