"""The policy backtest: every policy in config/backtest.yaml replayed on the same days of a model
backtest's out-of-sample predictions, its performance per trader and firm-wide, and the paired
comparisons that say whether acting on the model pays (docs/policy_backtest.md).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ml import performance
from ml.backtest_engine import BacktestEngine, Decision, Replay, build_replay, signal_rows
from ml.baselines import baseline_scores
from ml.bootstrap import DifferenceInterval, paired_difference_intervals
from ml.policies import policies_from_config

NO_INTERVENTION = "no_intervention"
COMPARED_METRICS = {
    "sharpe": performance.sharpe_ratio,  # scale-free: the same on dollars or on returns
    "total_pnl_usd": lambda pnl: float(np.sum(pnl)),
    "max_drawdown_usd": performance.max_drawdown_usd,
}


@dataclass(frozen=True)
class PolicyInputs:
    """predictions: one backtest run's ml.predictions rows; trader_days: core.fct_trader_days rows
    (trader_id, trade_date, is_active, net_pnl, total_fees); loss_limits: trader_id → daily loss
    limit in USD (NaN when not configured); optuna_trials: trials recorded by `riskman tune`."""

    predictions_run_id: str
    predictions: pd.DataFrame
    trader_days: pd.DataFrame
    loss_limits: pd.Series
    optuna_trials: int = 0


@dataclass(frozen=True)
class Check:
    name: str
    value: float
    target: str
    passed: bool


@dataclass(frozen=True)
class PolicyBacktestResult:
    capital_usd: float
    replay: Replay
    decisions: Mapping[str, Decision]
    metrics: pd.DataFrame
    comparisons: pd.DataFrame
    best_model: str | None
    best_rule: str | None
    trials: int
    deflated_sharpe: float
    quality: Mapping[str, float]
    checks: tuple[Check, ...]
    verdict: str

    def firm_pnl(self, policy: str) -> np.ndarray:
        return self.decisions[policy].book.firm_pnl

    def comparison_table(self) -> pd.DataFrame:
        """Policies as rows, firm-wide metrics as columns, plus the Sharpe difference vs doing nothing."""
        firm = self.metrics[self.metrics["trader_id"].isna()]
        table = firm.pivot_table(index="policy", columns="metric", values="value", aggfunc="first")
        table = table.reindex(list(self.decisions))
        table.insert(0, "family", [self.decisions[p].policy.family for p in table.index])
        vs_none = self.comparisons[
            (self.comparisons["versus"] == NO_INTERVENTION) & (self.comparisons["metric"] == "sharpe")
        ].set_index("policy")
        table["sharpe_vs_none"] = vs_none["difference"]
        table["sharpe_vs_none_ci"] = [
            f"[{vs_none.at[p, 'ci_low']:+.2f}, {vs_none.at[p, 'ci_high']:+.2f}]" if p in vs_none.index else ""
            for p in table.index
        ]
        return table


def capital_from_config(config: Mapping[str, Any], traders: int) -> float:
    capital = config["capital"]
    if capital.get("usd"):
        return float(capital["usd"])
    return float(capital["per_trader_usd"]) * traders


def _metric_rows(policy: str, trader: str | None, values: Mapping[str, float]) -> list[dict]:
    return [
        {"policy": policy, "trader_id": trader, "metric": k, "value": float(v)} for k, v in values.items()
    ]


def _book_metrics(decision: Decision, base: Decision, replay: Replay, capital: float) -> list[dict]:
    book, active = decision.book, replay.active
    saved, forgone = performance.saved_and_forgone(base.book.pnl[active], book.pnl[active])
    firm = {
        **performance.performance_summary(book.firm_pnl, capital),
        "saved_on_loss_days_usd": saved,
        "forgone_on_win_days_usd": forgone,
        "fees_usd": float(book.fees.sum()),
        "change_cost_usd": float(book.change_cost.sum()),
        "mean_size": float(book.size[active].mean()) if active.any() else float("nan"),
    }
    rows = _metric_rows(decision.policy.name, None, firm)
    for j, trader in enumerate(replay.traders):
        days = active[:, j]
        if not days.any():
            continue
        pnl, base_pnl = book.pnl[days, j], base.book.pnl[days, j]
        saved, forgone = performance.saved_and_forgone(base_pnl, pnl)
        trader_values = {
            "total_pnl_usd": float(pnl.sum()),
            "sharpe": performance.sharpe_ratio(pnl) if days.sum() > 1 else float("nan"),
            "max_drawdown_usd": performance.max_drawdown_usd(pnl),
            "hit_rate": performance.hit_rate(pnl),
            "saved_on_loss_days_usd": saved,
            "forgone_on_win_days_usd": forgone,
            "mean_size": float(book.size[days, j].mean()),
        }
        rows += _metric_rows(decision.policy.name, trader, trader_values)
    return rows


def _comparison_rows(policy: str, versus: str, intervals: Mapping[str, DifferenceInterval]) -> list[dict]:
    return [
        {
            "policy": policy,
            "versus": versus,
            "metric": metric,
            "difference": i.difference,
            "ci_low": i.low,
            "ci_high": i.high,
            "level": i.level,
        }
        for metric, i in intervals.items()
    ]


def _best(decisions: Mapping[str, Decision], family: str) -> str | None:
    sharpe = {
        name: performance.sharpe_ratio(d.book.firm_pnl)
        for name, d in decisions.items()
        if d.policy.family == family
    }
    sharpe = {name: value for name, value in sharpe.items() if math.isfinite(value)}
    return max(sharpe, key=sharpe.get) if sharpe else None


def direction_accuracy(replay: Replay) -> float:
    """Share of predicted trader-days where P(loss) ≥ 0.5 matched whether the day lost money."""
    p_loss = replay.signals["p_loss"]
    scored = replay.active & np.isfinite(p_loss)
    return (
        float(((p_loss[scored] >= 0.5) == (replay.net_pnl[scored] < 0)).mean()) if scored.any() else math.nan
    )


def failed_prediction_share(replay: Replay) -> float:
    """Share of trader-days traded in the backtest span that had no usable prediction."""
    return float((replay.active & ~replay.has_prediction).sum() / max(replay.active.sum(), 1))


def sharpe_trials(decisions: Mapping[str, Decision], optuna_trials: int) -> tuple[int, float]:
    """How many parameter sets were tried (and Optuna trials), and the variance of their daily Sharpe."""
    series = [pnl for d in decisions.values() for pnl in d.candidate_firm_pnl if np.std(pnl) > 0]
    sharpes = [float(np.mean(s) / np.std(s, ddof=1)) for s in series]
    return len(series) + optuna_trials, float(np.var(sharpes, ddof=1)) if len(sharpes) > 1 else math.nan


def model_quality(replay: Replay) -> dict[str, float]:
    return {
        "direction_accuracy": direction_accuracy(replay),
        "failed_prediction_share": failed_prediction_share(replay),
    }


def success_checks(best_firm: Mapping[str, float], quality: Mapping[str, float], goals: Mapping) -> tuple:
    """The design's success metrics, each pass/fail: best_firm holds the best model policy's
    firm-wide metrics (empty when there is none), quality the model_quality figures."""
    checks = []
    if best_firm:
        sharpe, drawdown = best_firm["sharpe"], -best_firm["max_drawdown_pct_capital"]
        above, below = goals["sharpe_above"], goals["max_drawdown_pct_capital_below"]
        checks.append(Check("Sharpe ratio (best model policy)", sharpe, f"> {above}", bool(sharpe > above)))
        checks.append(
            Check(
                "max drawdown, % of capital (best model policy)",
                drawdown,
                f"< {below:.0%}",
                bool(drawdown < below),
            )
        )
    accuracy, failed = quality["direction_accuracy"], quality["failed_prediction_share"]
    above, below = goals["direction_accuracy_above"], goals["failed_predictions_below"]
    checks.append(Check("direction accuracy of P(loss)", accuracy, f"> {above:.0%}", bool(accuracy > above)))
    checks.append(Check("failed predictions", failed, f"< {below:.0%}", bool(failed < below)))
    return tuple(checks)


def firm_metrics(metrics: pd.DataFrame, policy: str | None) -> dict[str, float]:
    firm = metrics[metrics["trader_id"].isna() & (metrics["policy"] == policy)]
    return dict(zip(firm["metric"], firm["value"].astype(float), strict=True))


def verdict(result_metrics: pd.DataFrame, comparisons: pd.DataFrame, best_model, best_rule, goals) -> str:
    if best_model is None:
        return "No model policy has a defined Sharpe ratio on these days: nothing to compare."
    firm = result_metrics[result_metrics["trader_id"].isna()].set_index(["policy", "metric"])["value"]
    parts = []
    if best_rule is not None:
        row = comparisons[
            (comparisons["policy"] == best_model)
            & (comparisons["versus"] == best_rule)
            & (comparisons["metric"] == "sharpe")
        ].iloc[0]
        beat = "beat" if row["difference"] > 0 else "did not beat"
        sure = (
            "the interval excludes zero"
            if row["ci_low"] > 0 or row["ci_high"] < 0
            else "the interval includes zero, so the difference is within luck"
        )
        parts.append(
            f"The best model policy, {best_model}, {beat} the best rule baseline, {best_rule}: Sharpe "
            f"{firm[(best_model, 'sharpe')]:.2f} vs {firm[(best_rule, 'sharpe')]:.2f}, difference "
            f"{row['difference']:+.2f} ({row['level']:.0%} CI {row['ci_low']:+.2f} to "
            f"{row['ci_high']:+.2f}; {sure})."
        )
    base_dd, dd = firm[(NO_INTERVENTION, "max_drawdown_usd")], firm[(best_model, "max_drawdown_usd")]
    base_pnl, pnl = firm[(NO_INTERVENTION, "total_pnl_usd")], firm[(best_model, "total_pnl_usd")]
    dd_cut = 1 - dd / base_dd if base_dd < 0 else math.nan
    pnl_cost = (base_pnl - pnl) / abs(base_pnl) if base_pnl != 0 else math.nan
    met = dd_cut >= goals["drawdown_cut_at_least"] and pnl_cost <= goals["pnl_cost_at_most"]
    parts.append(
        f"Against doing nothing it changed max drawdown from ${-base_dd:,.0f} to ${-dd:,.0f} "
        f"({-dd_cut:+.0%}) and total P&L from ${base_pnl:,.0f} to ${pnl:,.0f} ({-pnl_cost:+.0%} of "
        f"|P&L|). Goal: cut max drawdown by ≥ {goals['drawdown_cut_at_least']:.0%} at a cost of ≤ "
        f"{goals['pnl_cost_at_most']:.0%} of P&L: {'met' if met else 'not met'}."
    )
    if base_pnl < 0:
        parts.append(
            "The firm lost money doing nothing, so trading less raises its P&L: the comparison with "
            "the best rule, not with doing nothing, says whether the model adds anything."
        )
    return " ".join(parts)


def run_policy_backtest(inputs: PolicyInputs, config: Mapping[str, Any]) -> PolicyBacktestResult:
    rule_scores = baseline_scores(
        inputs.trader_days.rename(columns={"trade_date": "as_of_date"})[
            ["trader_id", "as_of_date", "is_active", "net_pnl"]
        ]
    )
    replay = build_replay(
        signal_rows(inputs.predictions, rule_scores, inputs.loss_limits), inputs.trader_days
    )
    capital = capital_from_config(config, len(replay.traders))
    engine = BacktestEngine(replay, config, capital)
    decisions = {policy.name: engine.decide(policy) for policy in policies_from_config(config)}
    base = decisions[NO_INTERVENTION]
    metrics = pd.DataFrame(
        [row for d in decisions.values() for row in _book_metrics(d, base, replay, capital)]
    )
    best_model, best_rule = _best(decisions, "model"), _best(decisions, "rule")
    boot = config["bootstrap"]
    options = {
        "block_days": int(boot["block_days"]),
        "reps": int(boot["reps"]),
        "level": float(boot["level"]),
        "seed": int(boot["seed"]),
    }
    pairs = [(name, NO_INTERVENTION) for name in decisions if name != NO_INTERVENTION]
    if best_rule is not None:
        pairs += [(name, best_rule) for name, d in decisions.items() if d.policy.family == "model"]
    comparisons = pd.DataFrame(
        [
            row
            for policy, versus in pairs
            for row in _comparison_rows(
                policy,
                versus,
                paired_difference_intervals(
                    decisions[policy].book.firm_pnl,
                    decisions[versus].book.firm_pnl,
                    COMPARED_METRICS,
                    **options,
                ),
            )
        ]
    )
    trials, sharpe_variance = sharpe_trials(decisions, inputs.optuna_trials)
    deflated = (
        performance.deflated_sharpe_ratio(
            decisions[best_model].book.firm_pnl / capital,
            trials,
            sharpe_variance if math.isfinite(sharpe_variance) else None,
        )
        if best_model
        else math.nan
    )
    goals = config["success"]
    quality = model_quality(replay)
    return PolicyBacktestResult(
        capital_usd=capital,
        replay=replay,
        decisions=decisions,
        metrics=metrics,
        comparisons=comparisons,
        best_model=best_model,
        best_rule=best_rule,
        trials=trials,
        deflated_sharpe=deflated,
        quality=quality,
        checks=success_checks(firm_metrics(metrics, best_model), quality, goals),
        verdict=verdict(metrics, comparisons, best_model, best_rule, goals),
    )


def daily_rows(result: PolicyBacktestResult) -> pd.DataFrame:
    """ml.backtest_daily rows: one per policy × trader × day its size was set or it traded."""
    replay = result.replay
    day_index, trader_index = np.nonzero(replay.active | replay.decides)
    parts = []
    for name, decision in result.decisions.items():
        book = decision.book
        parts.append(
            pd.DataFrame(
                {
                    "policy": name,
                    "trader_id": replay.traders[trader_index],
                    "target_date": replay.dates[day_index].date,
                    "size": book.size[day_index, trader_index],
                    "pnl_usd": book.pnl[day_index, trader_index],
                    "unsized_pnl_usd": replay.net_pnl[day_index, trader_index],
                    "fees_usd": book.fees[day_index, trader_index],
                    "change_cost_usd": book.change_cost[day_index, trader_index],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def policy_rows(result: PolicyBacktestResult) -> pd.DataFrame:
    """ml.backtest_policies rows: each policy's family and its parameter schedule."""
    return pd.DataFrame(
        [
            {
                "policy": name,
                "family": d.policy.family,
                "description": d.policy.description,
                "grid_points": len(d.candidate_firm_pnl),
                "parameter_schedule": json.dumps(
                    [{"from": str(day.date()), "params": params} for day, params in d.schedule]
                ),
            }
            for name, d in result.decisions.items()
        ]
    )
