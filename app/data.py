"""Every read of the viewer: named, parameter-bound queries over the dbt reporting marts of the
published read-only copy of the warehouse (riskman.atomic_warehouse), cached per snapshot.

- A snapshot is one published file, known by its inode and modification time. A flow publishes
  by renaming a new file over the old one, so the page that started on a snapshot reads it to the
  end (its connection holds that file open) and the next rerun sees the new one: old state, then
  new state, never a mix and never the writer's lock.
- Each snapshot gets its own in-memory DuckDB with the file ATTACHed read-only. `duckdb.connect`
  on the same path would hand back the process's already-open database, i.e. the old file.
- Results are cached by (snapshot, query, parameters): a new snapshot is a new cache key.
- Pages never hold SQL; parameters are always bound (`?`), never formatted into the text.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from ml.monitoring import overrides
from riskman import settings
from riskman.atomic_warehouse import published_path

SNAPSHOT_ALIAS = "snapshot"


class NoSnapshot(Exception):
    """Nothing published yet (no successful flow run or demo)."""


class SnapshotChanged(Exception):
    """The published file was replaced while a page was reading it: rerun on the new one."""


@dataclass(frozen=True)
class Snapshot:
    path: str
    inode: int
    modified_ns: int

    @property
    def published_at(self) -> datetime:
        return datetime.fromtimestamp(self.modified_ns / 1e9, UTC)


def warehouse() -> Path:
    """The warehouse the viewer shows (`riskman app --db`, else $RISKMAN_DB, else the default)."""
    return settings.warehouse_path()


def snapshot() -> Snapshot:
    """The published copy as it is now."""
    path = published_path(warehouse())
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        raise NoSnapshot(
            f"nothing published at {path} yet: run `riskman demo` or a flow (`riskman run-flow daily`)"
        ) from None
    return Snapshot(str(path), stat.st_ino, stat.st_mtime_ns)


@st.cache_resource(max_entries=4, show_spinner=False)
def _connection(snap: Snapshot) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"attach '{snap.path}' as {SNAPSHOT_ALIAS} (read_only)")  # path from os.stat above
    con.execute(f"use {SNAPSHOT_ALIAS}")
    # Opened after the stat: if the file was replaced in between, this is the next one.
    if os.stat(snap.path).st_ino != snap.inode:
        con.close()
        raise SnapshotChanged(snap.path)
    return con


@st.cache_data(max_entries=512, show_spinner=False)
def query(snap: Snapshot, sql: str, params: tuple = ()) -> pd.DataFrame:
    """`sql` (with `?` placeholders for `params`) on the snapshot."""
    return _cursor(snap).execute(sql, list(params)).df()


def _cursor(snap: Snapshot) -> duckdb.DuckDBPyConnection:
    """A cursor of its own for this thread (Streamlit runs sessions in threads), on the snapshot
    (a cursor does not inherit the connection's `use`)."""
    cursor = _connection(snap).cursor()
    cursor.execute(f"use {SNAPSHOT_ALIAS}")
    return cursor


def risk_table(snap: Snapshot) -> pd.DataFrame:
    return query(
        snap,
        """select trader_id, trader_name, desk, target_date, risk_score, p_loss, p_large_loss,
                  var_95_usd, recommended_size, top_reasons, model_version
           from reporting.rpt_live_predictions order by risk_score desc, trader_id""",
    )


def open_alerts(snap: Snapshot) -> pd.DataFrame:
    return query(
        snap,
        """select severity, rule, subject, message, first_raised_date, last_seen_date, days_open,
                  delivered_to
           from reporting.rpt_alerts_open
           order by case severity when 'critical' then 0 when 'warning' then 1 else 2 end,
                    first_raised_date, alert_key""",
    )


def desk_equity(snap: Snapshot) -> pd.DataFrame:
    return query(
        snap,
        """select desk, trade_date, net_pnl, cumulative_net_pnl, drawdown_usd, active_traders
           from reporting.rpt_desk_equity order by desk, trade_date""",
    )


def traders(snap: Snapshot) -> pd.DataFrame:
    return query(
        snap,
        """select trader_id, any_value(trader_name) as trader_name, any_value(desk) as desk
           from reporting.rpt_trader_days group by trader_id order by trader_id""",
    )


def trader_days(snap: Snapshot, trader_id: str) -> pd.DataFrame:
    return query(
        snap,
        """select trade_date, is_active, net_pnl, cumulative_net_pnl, fills_count, shares_traded,
                  daily_loss_limit_usd, is_loss_limit_breach
           from reporting.rpt_trader_days where trader_id = ? order by trade_date""",
        (trader_id,),
    )


def trader_predictions(snap: Snapshot, trader_id: str) -> pd.DataFrame:
    """Out-of-sample (backtest) predictions beside what happened, then the live one."""
    return query(
        snap,
        """select target_date, 'backtest' as kind, p_loss, p_large_loss, var_95_usd, risk_score,
                  realised_net_pnl, realised_is_loss
           from reporting.rpt_backtest_predictions where trader_id = ?
           union all
           select target_date, 'live', p_loss, p_large_loss, var_95_usd, risk_score, null, null
           from reporting.rpt_live_predictions where trader_id = ?
           order by target_date""",
        (trader_id, trader_id),
    )


def live_prediction(snap: Snapshot, trader_id: str) -> pd.DataFrame:
    return query(snap, "select * from reporting.rpt_live_predictions where trader_id = ?", (trader_id,))


def fills_by_time_of_day(snap: Snapshot, trader_id: str) -> pd.DataFrame:
    return query(
        snap,
        """select bucket_start_minute, bucket_label, fills_count, shares_traded, notional_traded,
                  active_days
           from reporting.rpt_trader_fills_by_time_of_day where trader_id = ?
           order by bucket_start_minute""",
        (trader_id,),
    )


def policy_comparison(snap: Snapshot) -> pd.DataFrame:
    return query(snap, "select * from reporting.rpt_policy_comparison order by sharpe desc nulls last")


def policy_equity(snap: Snapshot) -> pd.DataFrame:
    return query(
        snap,
        """select policy, target_date, cumulative_pnl_usd, drawdown_usd
           from reporting.rpt_policy_firm_daily order by policy, target_date""",
    )


def model_scores(snap: Snapshot) -> pd.DataFrame:
    """The latest backtest's pooled scores: one row per model × target, one column per metric."""
    return query(
        snap,
        """pivot (select model, target, metric, metric_value from reporting.rpt_model_evaluation)
           on metric using first(metric_value) group by model, target order by target, model""",
    )


def model_health(snap: Snapshot) -> pd.DataFrame:
    """The model-health windows of the latest monitor run."""
    return query(
        snap,
        """select * from reporting.rpt_model_health
           where as_of_date = (select max(as_of_date) from reporting.rpt_model_health)
           order by target, window_end_date, model_version""",
    )


def drift_tests(snap: Snapshot) -> pd.DataFrame:
    """The drift tests of the latest monitor run, flagged first."""
    return query(
        snap,
        """select as_of_date, scope, trader_id, column_name, column_kind, p_value, flagged, psi, ks,
                  reference_median, current_median, current_count, effective_current
           from reporting.rpt_drift_latest
           where as_of_date = (select max(as_of_date) from reporting.rpt_drift_latest)
           order by flagged desc, p_value, scope, trader_id, column_name""",
    )


def importance_stability(snap: Snapshot) -> pd.DataFrame:
    return query(
        snap,
        """select model_version, previous_version, target, gain_rank_correlation, top_overlap
           from reporting.rpt_importance_stability
           where as_of_date = (select max(as_of_date) from reporting.rpt_importance_stability)
           order by target, model_version""",
    )


def check_runs(snap: Snapshot) -> pd.DataFrame:
    return query(snap, "select * from reporting.rpt_check_runs order by checked_at desc limit 30")


def check_results(snap: Snapshot) -> pd.DataFrame:
    """The latest check run's results, failures first."""
    return query(
        snap,
        """select severity, success, suite, table_name, expectation_type, column_name,
                  unexpected_count, observed_value, message, sample
           from reporting.rpt_check_results_latest
           order by success, case severity when 'critical' then 0 when 'warning' then 1 else 2 end,
                    suite, table_name, expectation_type, column_name""",
    )


def quarantine(snap: Snapshot) -> pd.DataFrame:
    return query(
        snap,
        """select loaded_at, source_file, file_kind, line_number, reason, raw_text
           from reporting.rpt_quarantine order by loaded_at desc, source_file, line_number limit 1000""",
    )


def rejected_files(snap: Snapshot) -> pd.DataFrame:
    return query(
        snap,
        """select loaded_at, source_file, file_kind, status, message, rows_read, rows_quarantined
           from reporting.rpt_ingest_files where status <> 'loaded' or rows_quarantined > 0
           order by loaded_at desc, source_file""",
    )


def reconciliation_breaks(snap: Snapshot) -> pd.DataFrame:
    return query(
        snap,
        """select trade_date, account_name, trader_id, reconciliation_status, fills_count,
                  totals_fills_count, shares_traded, totals_quantity, fees_difference, gross_difference
           from reporting.rpt_reconciliation_breaks order by trade_date desc, account_name""",
    )


def blocked_predictions(snap: Snapshot) -> pd.DataFrame:
    return query(
        snap,
        """select run_finished_at, as_of_date, trader_id, check_run_id, reason
           from reporting.rpt_blocked_predictions order by run_finished_at desc, trader_id""",
    )


def recorded_overrides(snap: Snapshot) -> pd.DataFrame:
    return query(
        snap,
        """select recorded_at, recorded_by, trader_id, target_date, action, size, reason,
                  has_prediction, risk_score, recommended_size, model_version
           from reporting.rpt_audit_overrides order by recorded_at desc, override_id""",
    )


def queued_overrides(snap: Snapshot) -> pd.DataFrame:
    """Decisions recorded in the viewer that the snapshot does not hold yet (never cached: the
    inbox changes without a new snapshot)."""
    return overrides.pending_overrides(warehouse(), _cursor(snap))


@st.cache_data(max_entries=64, show_spinner=False)
def audit_lines(snap: Snapshot, trader_id: str, target_date: str, queued_count: int) -> list[str]:
    """The audit chain of a live prediction, rescored from its stored artifact; `queued_count`
    is part of the cache key, so a newly queued decision shows at once."""
    from ml.monitoring import audit as audit_chain  # loads LightGBM: only the audit page needs it

    chain = audit_chain.audit(Path(snap.path), trader_id, pd.Timestamp(target_date), inbox_of=warehouse())
    return chain.lines()


def submit_override(snap: Snapshot, decision: overrides.Override) -> str:
    """Queue a decision for the warehouse (ml.monitoring.overrides.submit_override)."""
    return overrides.submit_override(Path(snap.path), warehouse(), decision)
