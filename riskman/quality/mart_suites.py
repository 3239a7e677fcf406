"""Suites for the marts the models read: `core.fct_trader_days` and the `features.feat_*` models.

The feature suites follow the feature columns dbt's manifest lists (riskman.feature_catalog applies the same
rule the models train on), so a new feature is checked without touching this module.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import great_expectations.expectations as gxe

from riskman.feature_catalog import KEY_COLUMNS, FeatureSpec, discover_features, manifest_path
from riskman.quality import rules as r
from riskman.quality.spec import CRITICAL, WARNING, CheckedTable

TRADER_DAYS = "core.fct_trader_days"
# Reconciliation: any unreconciled active day is reported; above this share, no prediction runs.
MAX_UNRECONCILED_SHARE = 0.02
# A day this many robust sigmas (1.4826 x MAD) from the trader's own median net P&L is an outlier.
# Real days reach 25 (the default demo's 12k active days); 100 is a decimal shift, not a trade.
PNL_OUTLIER_SIGMAS = {WARNING: 8, CRITICAL: 100}
MIN_HISTORY_DAYS = 20  # fewer active days give no usable median/MAD
# Null-rate ceilings per feature column, as the share of rows that must hold a value.
FEATURE_NON_NULL_SHARE = {WARNING: 0.5, CRITICAL: 0.05}
# A feature in [0, 1], by the last word of its name before the window: a share
# (`loss_day_share_20d`), a percentile or percent rank, a concentration index.
UNIT_INTERVAL_NAME = re.compile(r"(^|_)(share|percentile|rank_pct|herfindahl)(_\d+d)?$")
MAX_TRADE_DATE = {"$PARAMETER": "max_trade_date"}

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

# Each trader's days against the firm calendar between their first and last row: trading_day_number
# is the position in that calendar, so a trader with no gap has last - first + 1 distinct days.
CALENDAR_SQL = f"""
select trader_id, min(trade_date) as first_day, max(trade_date) as last_day,
       max(trading_day_number) - min(trading_day_number) + 1 as calendar_days,
       count(distinct trade_date) as trader_days
from {TRADER_DAYS} group by trader_id
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
        r.between("chk_fees_per_share", "fees beyond -1c..10c a share", WARNING, low=-0.01, high=0.10),
    ]


def _calendar() -> list:
    return [
        r.equal("calendar_days", "trader_days", "no missing trading day between a trader's first and last")
    ]


def _feature_suite(columns: list[FeatureSpec]) -> list:
    expectations = [
        *r.not_nulls(list(KEY_COLUMNS), "the key a prediction is made for"),
        r.unique(list(KEY_COLUMNS), "one row per trader per as_of_date"),
        gxe.ExpectColumnMaxToBeBetween(
            column="as_of_date",
            min_value=MAX_TRADE_DATE,
            severity=CRITICAL,
            meta={"why": f"features reach the last trade date in {TRADER_DAYS}"},
        ),
    ]
    for spec in columns:
        for severity, share in FEATURE_NON_NULL_SHARE.items():
            why = f"over {1 - share:.0%} of rows null"
            expectations.append(r.non_null_share(spec.name, share, why, severity))
        if UNIT_INTERVAL_NAME.search(spec.name):
            expectations.append(r.between(spec.name, "a share lies in [0, 1]", low=0, high=1))
    return expectations


def feature_checks(manifest: Path | None = None) -> list[CheckedTable]:
    """One suite per feature model in dbt's manifest; none before dbt has parsed the project."""
    path = manifest or manifest_path()
    if not path.is_file():
        return []
    by_model: dict[str, list[FeatureSpec]] = {}
    for spec in discover_features(path):
        by_model.setdefault(spec.relation, []).append(spec)
    return [
        CheckedTable(
            suite=f"features_{relation.split('.')[-1]}",
            table=relation,
            query=f"select * from {relation}",
            expectations=lambda specs=specs: _feature_suite(specs),
            keys=KEY_COLUMNS,
            requires=(relation, TRADER_DAYS),
            parameters=("max_trade_date",),
        )
        for relation, specs in sorted(by_model.items())
    ]


def mart_checks(manifest: Path | None = None) -> list[CheckedTable]:
    """The trader-day fact suites, then one suite per feature model."""
    return [
        CheckedTable(
            "fct_trader_days", TRADER_DAYS, TRADER_DAYS_SQL, _trader_days, ("trader_id", "trade_date")
        ),
        CheckedTable("fct_trader_days_calendar", TRADER_DAYS, CALENDAR_SQL, _calendar, ("trader_id",)),
        *feature_checks(manifest),
    ]


def mart_parameters(con: duckdb.DuckDBPyConnection, relations: set[str]) -> dict[str, object]:
    """`max_trade_date`: the newest day in fct_trader_days, which the features must reach."""
    if TRADER_DAYS not in relations:
        return {}
    (latest,) = con.execute(f"select max(trade_date) from {TRADER_DAYS}").fetchone()
    return {"max_trade_date": None if latest is None else dt.datetime.combine(latest, dt.time())}
