"""`riskman monitor`: drift of features, predictions and label rates against the champion's
training window, the alert rules, delivery, and the results in ml.monitor_runs / drift_results /
alerts — one read-only read, one write transaction (like ml.jobs)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ml import registry
from ml.config import load_models_config, load_monitoring_config
from ml.data_gate import DataGate, data_gate
from ml.features import load_feature_frame
from ml.jobs import data_digest, new_run_id
from ml.monitoring.alerts import Alert, channels_from_config, deliver, triage, triaged_rows
from ml.monitoring.drift_detector import Windows, detect_drift, firm_medians
from ml.monitoring.evidently_report import DriftReport, write_drift_report
from ml.monitoring.health_monitor import TARGET_PROBABILITY, health_rows, stability_rows
from ml.monitoring.rules import (
    data_check_alerts,
    degraded_performance_alerts,
    drift_alerts,
    missing_prediction_alerts,
    no_predictions_alert,
    risk_limit_alerts,
)
from ml.store import require_ml_tables, require_warehouse, write_tables
from riskman.feature_catalog import discover_features, manifest_path
from riskman.warehouse import connect

PREDICTION_COLUMNS = ("p_loss", "p_large_loss")
LABEL_COLUMNS = ("is_loss", "is_large_loss")
# The day's own activity and size in absolute units (core.fct_trader_days): a change of size or
# pace shows here even where a feature is relative to the trader's recent norm and adapts.
BEHAVIOUR_COLUMNS = (
    "fills_count",
    "orders_count",
    "symbols_traded",
    "shares_traded",
    "notional_traded",
    "largest_fill_notional",
    "total_fees",
    "gross_pnl",
)


@dataclass(frozen=True)
class MonitorInputs:
    frame: pd.DataFrame  # trader_id, as_of_date, is_active, features, predictions, labels
    feature_columns: tuple[str, ...]
    champion: Mapping[str, Any] | None
    today: pd.DataFrame  # the latest live predictions at as_of
    recently_active: set[str]
    open_keys: set[str]
    as_of: pd.Timestamp
    reference_auc: Mapping[str, float]  # per target: the latest backtest's pooled out-of-sample AUC
    gains: Mapping[str, Mapping[str, pd.Series]]  # registered version -> target -> gain, oldest first
    gate: DataGate


def _predictions(con) -> pd.DataFrame:
    """Out-of-sample predictions per trader-day: the latest backtest's, overlaid by live ones."""
    return con.execute(
        """
        with ranked as (
            select p.trader_id, p.as_of_date, p.model_version, p.p_loss, p.p_large_loss,
                   row_number() over (
                       partition by p.trader_id, p.as_of_date
                       order by case p.run_kind when 'live' then 0 else 1 end, r.finished_at desc
                   ) as preference
            from ml.predictions as p
            inner join ml.runs as r on p.run_id = r.run_id
        )
        select trader_id, as_of_date, model_version, p_loss, p_large_loss from ranked where preference = 1
        """
    ).df()


def load_monitor_inputs(
    db_path: Path, as_of: pd.Timestamp | None, config: Mapping[str, Any]
) -> MonitorInputs:
    require_warehouse(db_path)
    features = [spec for spec in discover_features(manifest_path()) if spec.name]
    with connect(db_path, read_only=True) as con:
        require_ml_tables(con)
        frame = load_feature_frame(con, features)
        days = con.execute(
            f"select trader_id, trade_date as as_of_date, is_active, {', '.join(BEHAVIOUR_COLUMNS)}"
            " from core.fct_trader_days"
        ).df()
        labels = con.execute(
            """select trader_id, as_of_date, cast(is_loss as double) as is_loss,
                      cast(is_large_loss as double) as is_large_loss
               from labels.lbl_next_day_outcomes"""
        ).df()
        predictions = _predictions(con)
        champion = registry.champion(con)
        as_of = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp(days["as_of_date"].max())
        today = con.execute(
            """select * from ml.predictions where run_kind = 'live' and as_of_date = ? and run_id = (
                   select p.run_id from ml.predictions as p inner join ml.runs as r on p.run_id = r.run_id
                   where p.run_kind = 'live' and p.as_of_date = ? order by r.finished_at desc limit 1)""",
            [as_of.date(), as_of.date()],
        ).df()
        window = int(config["alerts"]["active_within_days"])
        recent = con.execute(
            """select distinct trader_id from core.fct_trader_days
               where is_active and trade_date <= ? and trade_date in (
                   select distinct trade_date from core.fct_trader_days where trade_date <= ?
                   order by trade_date desc limit ?)""",
            [as_of.date(), as_of.date(), window],
        ).df()
        reference_auc = backtest_auc(con)
        registered = con.execute(
            "select model_version, artifact_path from ml.model_registry order by created_at, model_version"
        ).fetchall()
        gate = data_gate(con)
        open_keys = open_alert_keys(con, as_of)
    keys = ["trader_id", "as_of_date"]
    for part in (days, labels, predictions):
        part["as_of_date"] = pd.to_datetime(part["as_of_date"])
    frame["as_of_date"] = pd.to_datetime(frame["as_of_date"])
    frame = frame.merge(days, on=keys, how="left").merge(labels, on=keys, how="left")
    frame = frame.merge(predictions, on=keys, how="left")
    numeric = tuple(s.name for s in features if frame[s.name].dtype.kind in "fiub")
    return MonitorInputs(
        frame,
        numeric,
        champion,
        today,
        set(recent["trader_id"]),
        open_keys,
        as_of,
        reference_auc,
        registered_gains(registered, {spec.name: spec for spec in features}),
        gate,
    )


def open_alert_keys(con, as_of: pd.Timestamp) -> set[str]:
    """Alert keys whose latest row up to `as_of` is raised or ongoing (deduplication)."""
    rows = con.execute(
        """with latest as (
               select a.alert_key, a.status,
                      row_number() over (
                          partition by a.alert_key order by a.as_of_date desc, m.finished_at desc
                      ) as r
               from ml.alerts as a inner join ml.monitor_runs as m on a.run_id = m.run_id
               where a.as_of_date <= ?)
           select alert_key from latest where r = 1 and status in ('raised', 'ongoing')""",
        [as_of.date()],
    ).fetchall()
    return {row[0] for row in rows}


def backtest_auc(con) -> dict[str, float]:
    rows = con.execute(
        """select target, value from ml.evaluation
           where fold_id is null and model = 'ensemble' and metric = 'auc' and run_id = (
               select run_id from ml.runs where run_kind = 'backtest' order by finished_at desc limit 1)"""
    ).fetchall()
    return {target: float(value) for target, value in rows}


def registered_gains(registered, specs) -> dict[str, dict[str, pd.Series]]:
    """Feature gain per registered version whose artifact can still be read (oldest first)."""
    config = load_models_config()
    gains = {}
    for version, artifact in registered:
        path = Path(artifact)
        if registry.is_readable(path):
            gains[version] = registry.load_model(path, config, specs).feature_gain()
    return gains


def monitor_windows(inputs: MonitorInputs, config: Mapping[str, Any]) -> Windows:
    """Current: the last `current_days` trading days up to as_of. Reference: the champion's
    training days before the current window (the trading days before it when there is none),
    at most `reference_days` of them."""
    drift = config["drift"]
    days = pd.DatetimeIndex(sorted(inputs.frame["as_of_date"].unique()))
    days = days[days <= inputs.as_of]
    current = days[-int(drift["current_days"]) :]
    before = days[days < current[0]]
    if inputs.champion is not None:
        trained = (before >= pd.Timestamp(inputs.champion["trained_from"])) & (
            before <= pd.Timestamp(inputs.champion["trained_until"])
        )
        before = before[trained] if trained.any() else before
    reference = before[-int(drift["reference_days"]) :]
    if len(reference) < 2:
        raise ValueError(f"too little history before {current[0]:%Y-%m-%d} to monitor drift")
    return Windows(reference[0], reference[-1], current[0], current[-1])


def column_kind(column: str) -> str:
    kinds = {**dict.fromkeys(PREDICTION_COLUMNS, "prediction"), **dict.fromkeys(LABEL_COLUMNS, "label")}
    return kinds.get(column, "behaviour" if column in BEHAVIOUR_COLUMNS else "feature")


def todays_alerts(
    inputs: MonitorInputs, drift: pd.DataFrame, health: pd.DataFrame, config: Mapping[str, Any]
) -> list[Alert]:
    standing = (
        drift_alerts(drift)
        + degraded_performance_alerts(health)
        + data_check_alerts(inputs.gate.blocked, inputs.gate.check_run_id)
    )
    if inputs.today.empty:
        return [*standing, no_predictions_alert(inputs.as_of)]
    limit = float(config["alerts"]["risk_score_limit"])
    today = inputs.today.assign(target_date=pd.to_datetime(inputs.today["target_date"]))
    # A trader the data checks stopped has its own critical alert, not a missing-data one too.
    expected = inputs.recently_active - set(inputs.gate.blocked)
    return (
        standing
        + risk_limit_alerts(today, limit)
        + missing_prediction_alerts(expected, set(today["trader_id"]))
    )


def model_health(inputs: MonitorInputs, config: Mapping[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    scored = inputs.frame.dropna(subset=["model_version"])
    health = health_rows(scored, inputs.reference_auc, config["health"], inputs.as_of)
    return health, stability_rows(inputs.gains, list(TARGET_PROBABILITY))


def monitor_hash(inputs: MonitorInputs, config: Mapping[str, Any]) -> str:
    champion = inputs.champion["model_version"] if inputs.champion is not None else None
    return registry.stable_hash(
        [
            registry.stable_hash(config),
            registry.code_version(),
            data_digest(inputs.frame),
            champion,
            str(inputs.as_of),
            sorted(inputs.gate.blocked.items()),
            sorted(inputs.gains),
        ]
    )


@dataclass(frozen=True)
class MonitorRun:
    run_id: str
    as_of: pd.Timestamp
    drift: pd.DataFrame | None
    raised: tuple[Alert, ...]
    ongoing: int
    resolved: int
    deliveries: tuple
    reused: bool = False
    health: pd.DataFrame | None = None
    drift_report: DriftReport | None = None


def monitor(
    db_path: Path,
    *,
    as_of: pd.Timestamp | None = None,
    config: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    report_dir: Path | None = None,
) -> MonitorRun:
    """One monitoring run at `as_of`; with `report_dir`, Evidently's firm-wide drift page is
    written there as drift.html."""
    config = config or load_monitoring_config()
    environ = os.environ if environ is None else environ
    started = datetime.now(UTC)
    inputs = load_monitor_inputs(db_path, as_of, config)
    fingerprint = monitor_hash(inputs, config)
    with connect(db_path, read_only=True) as con:
        earlier = con.execute(
            "select run_id from ml.monitor_runs where input_hash = ?", [fingerprint]
        ).fetchall()
    if earlier:
        return MonitorRun(earlier[0][0], inputs.as_of, None, (), 0, 0, (), reused=True)
    windows = monitor_windows(inputs, config)
    columns = [*inputs.feature_columns, *BEHAVIOUR_COLUMNS, *PREDICTION_COLUMNS, *LABEL_COLUMNS]
    drift = detect_drift(inputs.frame, columns, windows, fdr=float(config["drift"]["fdr"]))
    drift["column_kind"] = [column_kind(c) for c in drift["column"]]
    report = firm_drift_report(inputs, columns, windows, report_dir) if report_dir else None
    health, stability = model_health(inputs, config)
    sorted_out = triage(todays_alerts(inputs, drift, health, config), inputs.open_keys)
    channels, secrets = channels_from_config(config, environ)
    deliveries = tuple(deliver(sorted_out.new, channels, secrets))
    run_id = new_run_id("monitor")
    rows = triaged_rows(sorted_out, deliveries, secrets)
    rows += [
        {"alert_key": key, "rule": key.split(":")[0], "severity": "info", "subject": key.split(":")[1],
         "condition": key.split(":", 2)[2], "status": "resolved", "message": None, "details": None,
         "delivered_to": None}
        for key in sorted_out.resolved
    ]  # fmt: skip
    champion = inputs.champion
    run = {
        "run_id": run_id,
        "as_of_date": inputs.as_of.date(),
        "started_at": started,
        "finished_at": datetime.now(UTC),
        "input_hash": fingerprint,
        "model_version": champion["model_version"] if champion is not None else None,
        "reference_start": windows.reference_start.date(),
        "reference_end": windows.reference_end.date(),
        "current_start": windows.current_start.date(),
        "current_end": windows.current_end.date(),
        "tests": int(drift["counted"].sum()),
        "flagged": int(drift["flagged"].sum()),
        "alerts_raised": len(sorted_out.new),
        "note": None,
    }
    drift_rows = drift.rename(columns={"column": "column_name"}).assign(run_id=run_id)
    with connect(db_path) as con:
        write_tables(
            con,
            {
                "monitor_runs": pd.DataFrame([run]),
                "drift_results": drift_rows,
                "model_health": health.assign(run_id=run_id, as_of_date=inputs.as_of.date()),
                "importance_stability": stability.assign(run_id=run_id),
                "alerts": pd.DataFrame(rows).assign(run_id=run_id, as_of_date=inputs.as_of.date())
                if rows
                else None,
            },
        )
    return MonitorRun(
        run_id,
        inputs.as_of,
        drift,
        sorted_out.new,
        len(sorted_out.ongoing),
        len(sorted_out.resolved),
        deliveries,
        health=health,
        drift_report=report,
    )


def firm_drift_report(inputs: MonitorInputs, columns, windows: Windows, report_dir: Path) -> DriftReport:
    """Evidently's view of the firm-wide series the detector tested (its verdicts raise nothing)."""
    firm = firm_medians(inputs.frame, columns)
    days = firm["as_of_date"]
    reference = firm[(days >= windows.reference_start) & (days <= windows.reference_end)]
    current = firm[(days >= windows.current_start) & (days <= windows.current_end)]
    span = f"{windows.current_start:%Y-%m-%d}..{windows.current_end:%Y-%m-%d}"
    against = f"{windows.reference_start:%Y-%m-%d}..{windows.reference_end:%Y-%m-%d}"
    title = f"Firm-wide drift at {inputs.as_of:%Y-%m-%d}: {span} against {against}"
    return write_drift_report(reference, current, columns, report_dir / "drift.html", title=title)
