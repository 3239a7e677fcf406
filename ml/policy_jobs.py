"""The policy backtest as a job on a warehouse file (like ml.jobs): read the latest model
backtest's predictions and the trader days read-only, compute, write every table in one
transaction. A rerun on the same inputs (predictions run, data, config, code) writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ml import registry
from ml.config import load_backtest_config
from ml.jobs import data_digest, new_run_id
from ml.policy_backtest import (
    PolicyBacktestResult,
    PolicyInputs,
    daily_rows,
    policy_rows,
    run_policy_backtest,
)
from ml.store import require_ml_tables, require_warehouse, write_tables
from riskman.warehouse import connect


class NoModelBacktest(Exception):
    """There are no out-of-sample predictions to replay yet."""


def latest_model_backtest(con) -> str:
    rows = con.execute(
        "select run_id from ml.runs where run_kind = 'backtest'"
        " order by finished_at desc, run_id desc limit 1"
    ).fetchall()
    if not rows:
        raise NoModelBacktest("no model backtest in the warehouse: run `riskman backtest` first")
    return rows[0][0]


def load_trader_outcomes(con) -> tuple[pd.DataFrame, pd.Series]:
    """Every spine day's outcome (trader_id, trade_date, is_active, net_pnl, total_fees) and each
    trader's configured daily loss limit (NaN when none)."""
    trader_days = con.execute(
        """select trader_id, trade_date, is_active, coalesce(net_pnl, 0) as net_pnl,
                  coalesce(total_fees, 0) as total_fees
           from core.fct_trader_days order by trader_id, trade_date"""
    ).df()
    trader_days["trade_date"] = pd.to_datetime(trader_days["trade_date"])
    limits = con.execute("select trader_id, daily_loss_limit_usd from core.dim_traders").df()
    return trader_days, limits.set_index("trader_id")["daily_loss_limit_usd"].astype(float)


def load_policy_inputs(db_path: Path, predictions_run_id: str | None = None) -> PolicyInputs:
    require_warehouse(db_path)
    with connect(db_path, read_only=True) as con:
        require_ml_tables(con)
        run_id = predictions_run_id or latest_model_backtest(con)
        predictions = con.execute(
            """select trader_id, as_of_date, target_date, p_loss, p_large_loss, var_95_usd
               from ml.predictions where run_id = ? order by trader_id, target_date""",
            [run_id],
        ).df()
        trader_days, loss_limits = load_trader_outcomes(con)
        trials = con.execute("select coalesce(sum(trials), 0) from ml.tuning_runs").fetchone()[0]
    for column in ("as_of_date", "target_date"):
        predictions[column] = pd.to_datetime(predictions[column])
    return PolicyInputs(run_id, predictions, trader_days, loss_limits, int(trials))


def policy_input_hash(inputs: PolicyInputs, config: Mapping[str, Any]) -> str:
    data = data_digest(inputs.predictions, inputs.trader_days, inputs.loss_limits.to_frame())
    return registry.stable_hash(
        [
            inputs.predictions_run_id,
            registry.stable_hash(config),
            registry.code_version(),
            data,
            inputs.optuna_trials,
        ]
    )


@dataclass(frozen=True)
class PolicyRun:
    """`result` is None when an earlier run had the same inputs (`reused`)."""

    run_id: str
    predictions_run_id: str
    result: PolicyBacktestResult | None
    seconds: float
    reused: bool = False


def _earlier(db_path: Path, fingerprint: str) -> str | None:
    with connect(db_path, read_only=True) as con:
        rows = con.execute(
            "select run_id from ml.backtest_runs where input_hash = ? order by finished_at desc limit 1",
            [fingerprint],
        ).fetchall()
    return rows[0][0] if rows else None


def policy_backtest(
    db_path: Path, *, predictions_run_id: str | None = None, config: Mapping[str, Any] | None = None
) -> PolicyRun:
    config = config or load_backtest_config()
    started = datetime.now(UTC)
    inputs = load_policy_inputs(db_path, predictions_run_id)
    fingerprint = policy_input_hash(inputs, config)
    earlier = _earlier(db_path, fingerprint)
    if earlier is not None:
        return PolicyRun(earlier, inputs.predictions_run_id, None, 0.0, reused=True)
    result = run_policy_backtest(inputs, config)
    run_id = new_run_id("policy")
    finished = datetime.now(UTC)
    dates = result.replay.dates
    run = {
        "run_id": run_id,
        "predictions_run_id": inputs.predictions_run_id,
        "started_at": started,
        "finished_at": finished,
        "code_version": registry.code_version(),
        "config_hash": registry.stable_hash(config),
        "input_hash": fingerprint,
        "capital_usd": result.capital_usd,
        "first_date": dates[0].date(),
        "last_date": dates[-1].date(),
        "days": len(dates),
        "traders": len(result.replay.traders),
        "trials": result.trials,
        "best_model_policy": result.best_model,
        "best_rule_policy": result.best_rule,
        "deflated_sharpe": result.deflated_sharpe,
        **result.quality,
        "verdict": result.verdict,
    }
    with connect(db_path) as con:
        write_tables(
            con,
            {
                "backtest_runs": pd.DataFrame([run]),
                "backtest_policies": policy_rows(result).assign(run_id=run_id),
                "backtest_daily": daily_rows(result).assign(run_id=run_id),
                "backtest_metrics": result.metrics.assign(run_id=run_id),
                "backtest_comparisons": result.comparisons.assign(run_id=run_id),
            },
        )
    return PolicyRun(run_id, inputs.predictions_run_id, result, (finished - started).total_seconds())
