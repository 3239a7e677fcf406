"""What the reports show, read from the warehouse through one short read-only connection.

The policy backtest's own tables (ml.backtest_*) for a run, the out-of-sample predictions that
drove it with their realised outcomes, and the latest live predictions for the morning page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from ml.store import require_ml_tables, require_warehouse
from riskman.warehouse import connect


class NoPolicyBacktest(Exception):
    """No policy backtest has been written yet."""


@dataclass(frozen=True)
class StoredPolicyRun:
    run: pd.Series
    policies: pd.DataFrame
    metrics: pd.DataFrame
    comparisons: pd.DataFrame
    firm_daily: pd.DataFrame  # policy, target_date, pnl_usd, unsized_pnl_usd
    trader_totals: pd.DataFrame  # policy, trader_id, pnl_usd, unsized_pnl_usd, mean_size
    predictions: pd.DataFrame  # the model backtest's rows with realised outcomes

    @property
    def run_id(self) -> str:
        return str(self.run["run_id"])

    def firm(self) -> pd.DataFrame:
        """Firm-wide metrics: policies as rows (in the config's order), metrics as columns."""
        rows = self.metrics[self.metrics["trader_id"].isna()]
        table = rows.pivot_table(index="policy", columns="metric", values="value", aggfunc="first")
        return table.reindex(self.policies["policy"])

    def schedule(self, policy: str) -> list[dict]:
        row = self.policies[self.policies["policy"] == policy]
        return json.loads(row["parameter_schedule"].iloc[0]) if len(row) else []


def _latest_policy_run(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute(
        "select run_id from ml.backtest_runs order by finished_at desc, run_id desc limit 1"
    ).fetchall()
    if not rows:
        raise NoPolicyBacktest("no policy backtest in the warehouse: run `riskman backtest` first")
    return rows[0][0]


def load_policy_run(db_path: Path, run_id: str | None = None) -> StoredPolicyRun:
    require_warehouse(db_path)
    with connect(db_path, read_only=True) as con:
        require_ml_tables(con)
        run_id = run_id or _latest_policy_run(con)
        run = con.execute("select * from ml.backtest_runs where run_id = ?", [run_id]).df().iloc[0]

        def query(sql: str, *params) -> pd.DataFrame:
            return con.execute(sql, [run_id, *params]).df()

        policies = query("select * from ml.backtest_policies where run_id = ? order by rowid")
        metrics = query("select policy, trader_id, metric, value from ml.backtest_metrics where run_id = ?")
        comparisons = query("select * from ml.backtest_comparisons where run_id = ?")
        firm_daily = query(
            """select policy, target_date, sum(pnl_usd) as pnl_usd, sum(unsized_pnl_usd) as unsized_pnl_usd
               from ml.backtest_daily where run_id = ? group by all order by policy, target_date"""
        )
        trader_totals = query(
            """select policy, trader_id, sum(pnl_usd) as pnl_usd, sum(unsized_pnl_usd) as unsized_pnl_usd,
                      avg(size) as mean_size
               from ml.backtest_daily where run_id = ? group by all order by policy, trader_id"""
        )
        predictions = con.execute(
            """select p.trader_id, p.as_of_date, p.target_date, p.p_loss, p.p_large_loss, p.var_95_usd,
                      p.risk_score, l.net_pnl as realised_net_pnl, l.is_loss as realised_is_loss,
                      l.is_large_loss as realised_is_large_loss
               from ml.predictions as p
               left join labels.lbl_next_day_outcomes as l
                   on p.trader_id = l.trader_id and p.as_of_date = l.as_of_date
               where p.run_id = ?
               order by p.trader_id, p.target_date""",
            [run["predictions_run_id"]],
        ).df()
    return StoredPolicyRun(run, policies, metrics, comparisons, firm_daily, trader_totals, predictions)


@dataclass(frozen=True)
class Morning:
    """The latest live run's predictions, and the last realised day next to what was predicted."""

    today: pd.DataFrame
    realised_date: pd.Timestamp | None
    realised: pd.DataFrame  # trader_id, predicted columns, realised_net_pnl, source (live | backtest)


def load_morning(db_path: Path) -> Morning:
    require_warehouse(db_path)
    with connect(db_path, read_only=True) as con:
        require_ml_tables(con)
        today = con.execute("select * from reporting.rpt_live_predictions order by risk_score desc").df()
        last = con.execute("select max(trade_date) from core.fct_trader_days where is_active").fetchone()[0]
        realised = con.execute(
            """
            with predicted as (
                select p.*, r.run_kind as source,
                       row_number() over (
                           partition by p.trader_id
                           order by case r.run_kind when 'live' then 0 else 1 end, r.finished_at desc
                       ) as preference
                from ml.predictions as p
                inner join ml.runs as r on p.run_id = r.run_id
                where p.target_date = ?
            )
            select d.trader_id, t.trader_name, p.source, p.p_loss, p.p_large_loss, p.var_95_usd,
                   p.risk_score, p.recommended_size, d.net_pnl as realised_net_pnl
            from core.fct_trader_days as d
            left join predicted as p on d.trader_id = p.trader_id and p.preference = 1
            left join core.dim_traders as t on d.trader_id = t.trader_id
            where d.trade_date = ? and d.is_active
            order by p.risk_score desc nulls last, d.trader_id
            """,
            [last, last],
        ).df()
    return Morning(today, pd.Timestamp(last) if last is not None else None, realised)
