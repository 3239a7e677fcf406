"""Suites for the marts the models read: `core.fct_trader_days`, then the feature marts
(riskman.quality.feature_suites)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import great_expectations.expectations as gxe

from riskman.dbt import project_vars
from riskman.quality import rules as r
from riskman.quality.feature_suites import TRADER_DAYS, feature_checks
from riskman.quality.spec import CRITICAL, WARNING, CheckedTable

# Reconciliation: any unreconciled active day is reported; above this share, no prediction runs.
MAX_UNRECONCILED_SHARE = 0.02
# A day this many robust sigmas (1.4826 x MAD) from the trader's own median net P&L is an outlier.
# Real days reach 25 (the default demo's 12k active days); 100 is a decimal shift, not a trade.
PNL_OUTLIER_SIGMAS = {WARNING: 8, CRITICAL: 100}
MIN_HISTORY_DAYS = 20  # fewer active days give no usable median/MAD

TRADER_DAYS_SQL = f"""
with days as (select * from {TRADER_DAYS}),
history as (
    select trader_id, median(net_pnl) as pnl_median, 1.4826 * mad(net_pnl) as pnl_sigma
    from days where is_active group by trader_id having count(*) >= {MIN_HISTORY_DAYS}
)
select
    days.*,
    -- Only active days are reconciled (idle days have nothing to compare): NULL elsewhere.
    case when is_active then coalesce(reconciliation_issue, case when is_reconciled then 'ok' end, 'unknown')
    end as chk_reconciliation,
    case when is_active then abs(net_pnl - pnl_median) / nullif(pnl_sigma, 0)
    end as chk_net_pnl_robust_sigmas,
    case when not is_active then abs(net_pnl) + fills_count end as chk_idle_activity,
    total_fees / nullif(shares_traded, 0) as chk_fees_per_share
from days left join history using (trader_id)
"""


# Each trader's rows against the firm calendar: trading_day_number is the position in it, so
# consecutive rows are one day apart, except where the trader departed (his last idle row
# completes N - 1 idle days) and came back (the row after the gap is active).
def _calendar_sql() -> str:
    departs_after = project_vars()["departed_after_idle_trading_days"]
    return f"""
with steps as (
    select trader_id, trade_date, is_active, idle_trading_days,
           trading_day_number - lag(trading_day_number) over by_trader as day_step,
           lag(idle_trading_days) over by_trader as previous_idle_trading_days
    from {TRADER_DAYS}
    window by_trader as (partition by trader_id order by trade_date)
)
select trader_id, trade_date, idle_trading_days,
       case when day_step > 1
                 and not (is_active and previous_idle_trading_days = {departs_after} - 1)
            then day_step - 1 else 0 end as chk_missing_trading_days,
       {departs_after} as departs_after_idle_trading_days
from steps
"""


def _trader_days() -> list:
    sigmas = "robust sigmas from the trader's own median net P&L"
    return [
        *r.not_nulls(["trader_id", "trade_date", "trading_day_number", "is_active"], "key of every feature"),
        r.unique(["trader_id", "trade_date"], "one row per trader per trading day"),
        r.in_set("chk_reconciliation", ["ok"], "fills and totals disagree on an active day", WARNING),
        r.in_set(
            "chk_reconciliation",
            ["ok"],
            f"over {MAX_UNRECONCILED_SHARE:.0%} of active days unreconciled",
            mostly=1 - MAX_UNRECONCILED_SHARE,
        ),
        *(
            r.between("chk_net_pnl_robust_sigmas", f"over {limit} {sigmas}", severity, high=limit)
            for severity, limit in PNL_OUTLIER_SIGMAS.items()
        ),
        r.between("chk_idle_activity", "an idle day has no P&L and no fills", WARNING, low=0, high=0),
        r.fees_per_share(),
    ]


def _calendar() -> list:
    return [
        r.between(
            "chk_missing_trading_days",
            "no trading day missing between a trader's rows, but for a departure and return",
            low=0,
            high=0,
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="departs_after_idle_trading_days",
            column_B="idle_trading_days",
            severity=CRITICAL,
            meta={"why": "a trader with N idle trading days has departed and is off the spine"},
        ),
    ]


def mart_checks(manifest: Path | None = None) -> list[CheckedTable]:
    """The trader-day fact suites, then the feature suites."""
    return [
        CheckedTable(
            "fct_trader_days", TRADER_DAYS, TRADER_DAYS_SQL, _trader_days, ("trader_id", "trade_date")
        ),
        CheckedTable(
            "fct_trader_days_calendar", TRADER_DAYS, _calendar_sql(), _calendar, ("trader_id", "trade_date")
        ),
        *feature_checks(manifest),
    ]


def mart_parameters(con: duckdb.DuckDBPyConnection, relations: set[str]) -> dict[str, object]:
    """`max_trade_date`: the newest day in fct_trader_days, which the features must reach."""
    if TRADER_DAYS not in relations:
        return {}
    (latest,) = con.execute(f"select max(trade_date) from {TRADER_DAYS}").fetchone()
    return {"max_trade_date": None if latest is None else dt.datetime.combine(latest, dt.time())}
