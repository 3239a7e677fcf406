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
from ml.config import load_monitoring_config
from ml.features import load_feature_frame
from ml.jobs import data_digest, new_run_id
from ml.monitoring.alerts import Alert, alert_rows, channels_from_config, deliver, triage
from ml.monitoring.drift_detector import Windows, detect_drift
from ml.monitoring.rules import (
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


def _predictions(con) -> pd.DataFrame:
    """Out-of-sample predictions per trader-day: the latest backtest's, overlaid by live ones."""
    return con.execute(
        """
        with ranked as (
            select p.trader_id, p.as_of_date, p.p_loss, p.p_large_loss,
                   row_number() over (
                       partition by p.trader_id, p.as_of_date
                       order by case p.run_kind when 'live' then 0 else 1 end, r.finished_at desc
                   ) as preference
            from ml.predictions as p
            inner join ml.runs as r on p.run_id = r.run_id
        )
        select trader_id, as_of_date, p_loss, p_large_loss from ranked where preference = 1
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
        open_keys = con.execute(
            """with latest as (
                   select a.alert_key, a.status,
                          row_number() over (
                              partition by a.alert_key order by a.as_of_date desc, m.finished_at desc
                          ) as r
                   from ml.alerts as a inner join ml.monitor_runs as m on a.run_id = m.run_id
                   where a.as_of_date <= ?)
               select alert_key from latest where r = 1 and status in ('raised', 'ongoing')""",
            [as_of.date()],
        ).df()
    keys = ["trader_id", "as_of_date"]
    for part in (days, labels, predictions):
        part["as_of_date"] = pd.to_datetime(part["as_of_date"])
    frame["as_of_date"] = pd.to_datetime(frame["as_of_date"])
    frame = frame.merge(days, on=keys, how="left").merge(labels, on=keys, how="left")
    frame = frame.merge(predictions, on=keys, how="left")
    numeric = tuple(s.name for s in features if frame[s.name].dtype.kind in "fiub")
    return MonitorInputs(
        frame, numeric, champion, today, set(recent["trader_id"]), set(open_keys["alert_key"]), as_of
    )


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


def todays_alerts(inputs: MonitorInputs, drift: pd.DataFrame, config: Mapping[str, Any]) -> list[Alert]:
    if inputs.today.empty:
        return [*drift_alerts(drift), no_predictions_alert(inputs.as_of)]
    limit = float(config["alerts"]["risk_score_limit"])
    today = inputs.today.assign(target_date=pd.to_datetime(inputs.today["target_date"]))
    return (
        drift_alerts(drift)
        + risk_limit_alerts(today, limit)
        + missing_prediction_alerts(inputs.recently_active, set(today["trader_id"]))
    )


def monitor_hash(inputs: MonitorInputs, config: Mapping[str, Any]) -> str:
    champion = inputs.champion["model_version"] if inputs.champion is not None else None
    return registry.stable_hash(
        [
            registry.stable_hash(config),
            registry.code_version(),
            data_digest(inputs.frame),
            champion,
            str(inputs.as_of),
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


def monitor(
    db_path: Path,
    *,
    as_of: pd.Timestamp | None = None,
    config: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> MonitorRun:
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
    sorted_out = triage(todays_alerts(inputs, drift, config), inputs.open_keys)
    channels, secrets = channels_from_config(config, environ)
    deliveries = tuple(deliver(sorted_out.new, channels, secrets))
    delivered = ",".join(d.channel for d in deliveries if d.sent and d.error is None)
    run_id = new_run_id("monitor")
    rows = [
        {**row, "status": status, "delivered_to": delivered if status == "raised" else None}
        for status, group in (("raised", sorted_out.new), ("ongoing", sorted_out.ongoing))
        for row in alert_rows(group, secrets)
    ]
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
        "tests": len(drift),
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
    )
