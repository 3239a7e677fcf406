"""The policy backtest report: does acting on the predictions pay, and by how much does it cut
the worst drawdown — with the success metrics pass/fail as they are."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ml.policy_backtest import NO_INTERVENTION, success_checks
from ml.reports import charts
from ml.reports.html import Page
from ml.reports.stored import StoredPolicyRun

COMPARISON_COLUMNS = {
    "total_pnl_usd": ("total P&L $", ",.0f"),
    "sharpe": ("Sharpe", ".2f"),
    "sortino": ("Sortino", ".2f"),
    "calmar": ("Calmar", ".2f"),
    "max_drawdown_usd": ("max DD $", ",.0f"),
    "max_drawdown_pct_capital": ("max DD % cap", ".1%"),
    "longest_days_under_water": ("days under water", ".0f"),
    "hit_rate": ("hit rate", ".1%"),
    "saved_on_loss_days_usd": ("saved on loss days $", ",.0f"),
    "forgone_on_win_days_usd": ("forgone on win days $", ",.0f"),
    "change_cost_usd": ("size-change cost $", ",.0f"),
    "mean_size": ("mean size", ".2f"),
}


def comparison_table(stored: StoredPolicyRun) -> pd.DataFrame:
    """Policies × firm-wide metrics, with each policy's differences from doing nothing and CIs."""
    firm = stored.firm()
    table = pd.DataFrame(index=firm.index)
    table.index.name = "policy"
    table["family"] = stored.policies.set_index("policy")["family"]
    for metric, (label, _) in COMPARISON_COLUMNS.items():
        table[label] = firm.get(metric)
    vs_none = stored.comparisons[stored.comparisons["versus"] == NO_INTERVENTION]
    for metric, label in (("sharpe", "Sharpe vs none"), ("total_pnl_usd", "P&L vs none $")):
        rows = vs_none[vs_none["metric"] == metric].set_index("policy")
        spec = ".2f" if metric == "sharpe" else ",.0f"
        table[label] = [_with_interval(rows, p, spec) if p in rows.index else "" for p in table.index]
    return table


def _with_interval(rows: pd.DataFrame, policy: str, spec: str) -> str:
    low, high = rows.at[policy, "ci_low"], rows.at[policy, "ci_high"]
    return f"{rows.at[policy, 'difference']:+{spec}} [{low:+{spec}}, {high:+{spec}}]"


def column_formats() -> dict[str, str]:
    return {label: spec for label, spec in COMPARISON_COLUMNS.values()}


def checks_table(stored: StoredPolicyRun, goals: Mapping[str, Any]) -> pd.DataFrame:
    best = stored.run["best_model_policy"]
    firm = stored.firm()
    best_firm = firm.loc[best].to_dict() if isinstance(best, str) and best in firm.index else {}
    quality = {key: float(stored.run[key]) for key in ("direction_accuracy", "failed_prediction_share")}
    checks = success_checks(best_firm, quality, goals)
    table = pd.DataFrame(
        {
            "value": [c.value for c in checks],
            "target": [c.target for c in checks],
            "result": [c.passed for c in checks],
        },
        index=pd.Index([c.name for c in checks], name="success metric"),
    )
    return table


def setup_notes(run: pd.Series, config: Mapping[str, Any]) -> list[str]:
    """How the backtest was run, in the report's words."""
    costs, selection, boot = config["costs"], config["selection"], config["bootstrap"]
    span = f"{run['first_date']:%Y-%m-%d} to {run['last_date']:%Y-%m-%d}"
    return [
        f"{run['days']} trading days, {span}, {run['traders']} traders; the out-of-sample predictions "
        f"of backtest run {run['predictions_run_id']}.",
        f"Returns and % drawdowns on a capital of ${run['capital_usd']:,.0f} (config/backtest.yaml); "
        "252 days a year; drawdowns arithmetic, in dollars from a zero peak.",
        f"P&L and fees scale with size; a size change costs ${costs['change_cost_usd_per_unit']:,.0f} "
        f"per unit; a trader's size changes at most once in {costs['min_days_between_changes']} of "
        "its trading days.",
        f"Parameters are chosen every {selection['reselect_every_days']} days on the days before only "
        f"(objective: {selection['objective']}); {run['trials']} parameter sets and tuning trials were "
        f"tried in all. Deflated Sharpe ratio of the best model policy: {run['deflated_sharpe']:.2f} "
        "(the probability that its Sharpe beats what the best of that many skill-less trials shows).",
        f"Intervals: paired stationary block bootstrap of the days ({boot['reps']} resamples, mean "
        f"block {boot['block_days']} days).",
    ]


def trader_table(stored: StoredPolicyRun, policy: str) -> pd.DataFrame:
    """Per trader: total P&L, Sharpe and max drawdown doing nothing and under `policy`."""
    rows = stored.metrics[stored.metrics["trader_id"].notna()]
    wide = rows.pivot_table(index="trader_id", columns=["policy", "metric"], values="value", aggfunc="first")
    table = pd.DataFrame(index=wide.index)
    for name, label in ((NO_INTERVENTION, "none"), (policy, policy)):
        for metric, title in (
            ("total_pnl_usd", "P&L $"),
            ("sharpe", "Sharpe"),
            ("max_drawdown_usd", "max DD $"),
        ):
            table[f"{title} ({label})"] = wide.get((name, metric))
    table[f"mean size ({policy})"] = wide.get((policy, "mean_size"))
    return table


def majority_note(predictions: pd.DataFrame) -> str:
    """What direction accuracy a model with no skill reaches: always the more common outcome."""
    realised = predictions["realised_is_loss"].dropna().astype(float)
    if realised.empty:
        return "No realised outcomes to judge direction accuracy by."
    majority = max(realised.mean(), 1 - realised.mean())
    return (
        f"For scale: always predicting the more common outcome would have scored {majority:.1%} "
        f"direction accuracy on these {len(realised):,} trader-days."
    )


def render_backtest_page(stored: StoredPolicyRun, config: Mapping[str, Any]) -> str:
    run = stored.run
    best_model, best_rule = run["best_model_policy"], run["best_rule_policy"]
    shown = {p for p in (NO_INTERVENTION, best_model, best_rule) if isinstance(p, str)}
    page = Page("Policy backtest: does acting on the risk predictions pay?")
    page.paragraph(str(run["verdict"]), "verdict")
    page.bullets(setup_notes(run, config))
    page.heading("Success metrics")
    page.table(checks_table(stored, config["success"]), {"value": ".3f"})
    page.paragraph(majority_note(stored.predictions), "note")
    page.heading("Policies on the same days")
    page.table(comparison_table(stored), column_formats())
    page.figure(charts.equity_curves(stored.firm_daily, shown))
    page.figure(charts.drawdowns(stored.firm_daily, shown))
    page.figure(
        charts.trader_contribution(
            stored.trader_totals, [p for p in (best_model, best_rule) if isinstance(p, str)]
        )
    )
    if isinstance(best_model, str):
        page.heading(f"Per trader: doing nothing vs {best_model}")
        table = trader_table(stored, best_model)
        page.table(table, {c: (".2f" if "Sharpe" in c or "size" in c else ",.0f") for c in table.columns})
    page.figure(charts.calibration(stored.predictions))
    page.figure(charts.risk_heat_map(stored.predictions))
    page.heading("Parameters chosen (each from the date on, on earlier days only)")
    page.bullets(
        f"{policy}: " + "; ".join(f"from {step['from']} {step['params']}" for step in stored.schedule(policy))
        for policy in stored.policies["policy"]
        if stored.schedule(policy) and stored.schedule(policy)[0]["params"]
    )
    return page.render()
