"""BacktestEngine: replays history day by day, deciding each target_date's sizes from what was
known at the close of its as_of_date only.

Point in time by construction:
- a decision for `target_date` reads one signal row, the backtest prediction made at the close of
  its `as_of_date` (< target_date, checked), and the rule scores of that same close
  (ml.baselines computes them from the trader's days up to as_of_date);
- a policy's parameters for the days from a reselection date `s` on are chosen on the simulated
  P&L of the days before `s` only, all of which closed before the first decision they affect;
- outcomes (the day's net P&L and fees) enter only after the sizes are fixed (ml.portfolio).
tests/ml/test_policy_backtest.py scrambles every outcome and signal from a day D on and checks
that no decision for a day up to D changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ml import performance
from ml.baselines import SCORE_COLUMNS
from ml.policies import Params, Policy
from ml.portfolio import Book, Frictions, simulate

PREDICTION_SIGNALS = ("p_loss", "p_large_loss", "var_95_usd")
TAIL_SIGNAL = "tail_vs_loss_limit"


class LookAhead(ValueError):
    """A signal row was not known before the day it would size."""


@dataclass(frozen=True)
class Replay:
    """The backtest's days × traders matrices: signals as known the close before, and outcomes."""

    dates: pd.DatetimeIndex
    traders: pd.Index
    signals: Mapping[str, np.ndarray]
    decides: np.ndarray  # the trader has a signal row for the day: its size is set
    active: np.ndarray  # the trader traded that day (an outcome)
    net_pnl: np.ndarray
    fees: np.ndarray
    has_prediction: np.ndarray

    @property
    def tail_usd(self) -> np.ndarray:
        return np.abs(self.signals["var_95_usd"])


def signal_rows(predictions: pd.DataFrame, rule_scores: pd.DataFrame, loss_limits: pd.Series) -> pd.DataFrame:
    """One row per trader × target_date: the prediction and the rule scores of its as_of close."""
    late = predictions["as_of_date"] >= predictions["target_date"]
    if late.any():
        row = predictions[late].iloc[0]
        raise LookAhead(f"a prediction for {row.trader_id} on {row.target_date} was made at {row.as_of_date}")
    rows = predictions[["trader_id", "as_of_date", "target_date", *PREDICTION_SIGNALS]].merge(
        rule_scores[["trader_id", "as_of_date", *SCORE_COLUMNS]], on=["trader_id", "as_of_date"], how="left"
    )
    limit = rows["trader_id"].map(loss_limits).astype(float)
    allowance = limit.where(limit > 0, rows["var_95_historical"].abs())
    rows[TAIL_SIGNAL] = rows["var_95_usd"].abs() / allowance.where(allowance > 0)
    return rows


def build_replay(signals: pd.DataFrame, outcomes: pd.DataFrame) -> Replay:
    """Matrices over every trading date from the first to the last target_date.

    outcomes: trader_id, trade_date, is_active, net_pnl, total_fees (one row per spine day).
    """
    first, last = signals["target_date"].min(), signals["target_date"].max()
    days = outcomes[(outcomes["trade_date"] >= first) & (outcomes["trade_date"] <= last)]
    dates = pd.DatetimeIndex(sorted(days["trade_date"].unique()))
    traders = pd.Index(sorted(set(days["trader_id"]) | set(signals["trader_id"])))

    def matrix(frame: pd.DataFrame, date_col: str, column: str, fill: float) -> np.ndarray:
        wide = frame.pivot_table(index=date_col, columns="trader_id", values=column, aggfunc="first")
        return wide.reindex(index=dates, columns=traders).to_numpy(dtype=float, na_value=fill)

    traded = days[days["is_active"].astype(bool)]
    return Replay(
        dates=dates,
        traders=traders,
        signals={
            column: matrix(signals, "target_date", column, np.nan)
            for column in (*PREDICTION_SIGNALS, *SCORE_COLUMNS, TAIL_SIGNAL)
        },
        decides=matrix(signals.assign(one=1.0), "target_date", "one", 0.0) > 0,
        active=matrix(traded.assign(one=1.0), "trade_date", "one", 0.0) > 0,
        net_pnl=matrix(traded, "trade_date", "net_pnl", 0.0),
        fees=matrix(traded, "trade_date", "total_fees", 0.0),
        has_prediction=np.isfinite(matrix(signals, "target_date", "p_large_loss", np.nan)),
    )


OBJECTIVES = {
    "sharpe": lambda pnl: performance.sharpe_ratio(pnl),
    "calmar": lambda pnl: performance.calmar_ratio(pnl, 1.0),
    "total_pnl": lambda pnl: float(np.sum(pnl)),
}


@dataclass(frozen=True)
class Decision:
    """A policy's applied book and the parameters it used from each reselection date on."""

    policy: Policy
    book: Book
    schedule: tuple[tuple[pd.Timestamp, Params], ...]
    candidate_firm_pnl: tuple[np.ndarray, ...]


def reselection_starts(dates: pd.DatetimeIndex, every_days: int) -> list[int]:
    """Row positions where a new parameter period starts: the first date, then the first date at
    least `every_days` calendar days after the previous start."""
    starts, current = [0], dates[0]
    for position, day in enumerate(dates):
        if (day - current).days >= every_days:
            starts.append(position)
            current = day
    return starts


def choose(firm_pnl: Sequence[np.ndarray], history: int, objective: str) -> int:
    """The index of the candidate whose firm P&L has the best objective on the first `history`
    days (ties: the first)."""
    score = OBJECTIVES[objective]
    values = np.array([score(pnl[:history]) for pnl in firm_pnl], dtype=float)
    values = np.where(np.isfinite(values), values, -np.inf)
    return int(np.argmax(values))


class BacktestEngine:
    def __init__(self, replay: Replay, config: Mapping[str, Any], capital_usd: float):
        self.replay = replay
        self.config = config
        costs = config["costs"]
        self.frictions = Frictions(
            float(costs["change_cost_usd_per_unit"]), int(costs["min_days_between_changes"])
        )
        self.budget_usd = float(config["firm_budget"]["var_share_of_capital"]) * capital_usd

    def simulate(self, policy: Policy, desired: np.ndarray) -> Book:
        r = self.replay
        budget = {"tail_usd": r.tail_usd, "budget_usd": self.budget_usd} if policy.firm_budget else {}
        return simulate(desired, r.decides, r.active, r.net_pnl, r.fees, self.frictions, **budget)

    def decide(self, policy: Policy) -> Decision:
        """The policy's book with parameters reselected on earlier days only (module doc)."""
        selection = self.config["selection"]
        candidates = policy.candidates() or (policy.default,)
        desired = [policy.sizes(self.replay.signals, params) for params in candidates]
        firm = [self.simulate(policy, sizes).firm_pnl for sizes in desired]
        default = candidates.index(policy.default) if policy.default in candidates else 0
        starts = reselection_starts(self.replay.dates, int(selection["reselect_every_days"]))
        composite = np.ones_like(desired[0])
        schedule = []
        for k, start in enumerate(starts):
            stop = starts[k + 1] if k + 1 < len(starts) else len(self.replay.dates)
            enough = start >= int(selection["min_history_days"])
            chosen = choose(firm, start, selection["objective"]) if enough else default
            composite[start:stop] = desired[chosen][start:stop]
            if not schedule or schedule[-1][1] != candidates[chosen]:
                schedule.append((self.replay.dates[start], dict(candidates[chosen])))
        return Decision(policy, self.simulate(policy, composite), tuple(schedule), tuple(firm))
