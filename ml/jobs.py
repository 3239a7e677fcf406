"""The ML steps as jobs on a warehouse file: backtest, train, predict, evaluate.

Each job reads what it needs through a short read-only connection, computes, then writes its
rows in one transaction (ml.store), so it holds the single writer lock only for the write and a
failure leaves the warehouse as it was. Jobs return results; the CLI prints them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ml import registry
from ml.backtest import BacktestResult, run_backtest, splitter_from_config
from ml.config import load_models_config
from ml.data_gate import FIRM, DataGate, data_gate
from ml.dataset import Panel, load_market_returns, load_panel, load_trader_days
from ml.evaluation import evaluate_predictions
from ml.live import fit_live, model_inputs, promotion_decision, score_rows
from ml.monitoring.audit import load_ids_behind, prediction_input_rows
from ml.sizing import recommended_size, risk_score
from ml.store import require_ml_tables, require_warehouse, write_tables
from riskman.feature_catalog import discover_features, manifest_path
from riskman.warehouse import connect

Progress = Callable[[Iterable[Any], int], Iterable[Any]]


@dataclass(frozen=True)
class Inputs:
    panel: Panel
    trader_days: pd.DataFrame
    returns: pd.Series


def new_run_id(kind: str) -> str:
    return f"{kind}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def load_inputs(db_path: Path) -> Inputs:
    require_warehouse(db_path)
    features = discover_features(manifest_path())
    with connect(db_path, read_only=True) as con:
        require_ml_tables(con)
        return Inputs(load_panel(con, features), load_trader_days(con), load_market_returns(con))


def contract_rows(
    predictions: pd.DataFrame, run_id: str, run_kind: str, config: Mapping[str, Any], created_at: datetime
) -> pd.DataFrame:
    """ml.predictions rows (docs/architecture.md §5) from predictions with a model_version column."""
    sizing = config["sizing"]
    out = predictions[
        ["model_version", "trader_id", "account_id", "as_of_date", "target_date"]
        + ["p_loss", "p_large_loss", "var_95_usd", "top_reasons"]
    ].copy()
    out.insert(0, "run_kind", run_kind)
    out.insert(0, "run_id", run_id)
    out["risk_score"] = risk_score(out["p_large_loss"], sizing)
    out["recommended_size"] = recommended_size(out["p_large_loss"], sizing)
    out["created_at"] = created_at
    return out


def input_hash(inputs: Inputs, config: Mapping[str, Any], *extra: Any) -> str:
    """What a run's result depends on: config, code, feature set, the data it read, its options."""
    specs = {spec.name: spec for spec in inputs.panel.features}
    return registry.stable_hash(
        [
            registry.stable_hash(config),
            registry.code_version(),
            registry.feature_set_hash(inputs.panel.feature_names, specs),
            data_digest(inputs.panel.frame, inputs.trader_days, inputs.returns.to_frame()),
            [str(value) for value in extra],
        ]
    )


def data_digest(*frames: pd.DataFrame) -> str:
    """One hash of the frames' values, floats quantised (see _quantised)."""
    data = hashlib.sha256()
    for frame in frames:
        data.update(pd.util.hash_pandas_object(_quantised(frame), index=False).to_numpy().tobytes())
    return data.hexdigest()


def _quantised(frame: pd.DataFrame) -> pd.DataFrame:
    """Floats as float32: a rebuild of the same data sums in another order and differs in the last
    bits of float64, which must not count as new data."""
    floats = [column for column in frame.columns if frame[column].dtype.kind == "f"]
    return frame.astype(dict.fromkeys(floats, "float32"))


def earlier_run(db_path: Path, run_kind: str, inputs_hash: str) -> str | None:
    """The run of this kind that already read exactly these inputs, if any."""
    with connect(db_path, read_only=True) as con:
        rows = con.execute(
            "select run_id from ml.runs where run_kind = ? and input_hash = ?"
            " order by finished_at desc limit 1",
            [run_kind, inputs_hash],
        ).fetchall()
    return rows[0][0] if rows else None


@dataclass(frozen=True)
class BacktestRun:
    """A backtest's results; `reused` when an earlier run had the same inputs (nothing recomputed,
    nothing written, `result` None)."""

    run_id: str
    result: BacktestResult | None
    step_days: int
    seconds: float
    reused: bool = False


def backtest(
    db_path: Path,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    step_days: int | None = None,
    config: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> BacktestRun:
    """Out-of-sample predictions for history (run_kind='backtest'), with weights and evaluation.
    A rerun on the same inputs (config, code, features, data, options) changes nothing."""
    config = config or load_models_config()
    started = datetime.now(UTC)
    inputs = load_inputs(db_path)
    splitter = splitter_from_config(config, step_days)
    fingerprint = input_hash(inputs, config, splitter.step_days, start, end)
    earlier = earlier_run(db_path, "backtest", fingerprint)
    if earlier is not None:
        return BacktestRun(earlier, None, splitter.step_days, 0.0, reused=True)
    result = run_backtest(
        inputs.panel,
        inputs.trader_days,
        inputs.returns,
        config,
        splitter,
        start=start,
        end=end,
        progress=progress,
    )
    run_id = new_run_id("backtest")
    predictions = result.predictions.assign(
        model_version=[f"{run_id}/fold-{fold:03d}" for fold in result.predictions["fold_id"]]
    )
    pooled = evaluate_predictions(result.oos, group_cols=("model",)).assign(fold_id=None)
    finished = datetime.now(UTC)
    specs = {spec.name: spec for spec in inputs.panel.features}
    run = {
        "run_id": run_id,
        "run_kind": "backtest",
        "started_at": started,
        "finished_at": finished,
        "code_version": registry.code_version(),
        "config_hash": registry.stable_hash(config),
        "feature_set_hash": registry.feature_set_hash(inputs.panel.feature_names, specs),
        "retrain_step_days": splitter.step_days,
        "folds": len(result.folds),
        "first_test_date": result.folds[0].test_start,
        "last_test_date": result.folds[-1].test_end,
        "note": None,
        "input_hash": fingerprint,
    }
    with connect(db_path) as con:
        write_tables(
            con,
            {
                "runs": pd.DataFrame([run]),
                "predictions": contract_rows(predictions, run_id, "backtest", config, finished),
                "ensemble_weights": result.weights.assign(run_id=run_id),
                "evaluation": pd.concat([result.evaluation, pooled], ignore_index=True).assign(run_id=run_id),
            },
        )
    return BacktestRun(run_id, result, splitter.step_days, (finished - started).total_seconds())


@dataclass(frozen=True)
class TrainResult:
    version: str
    artifact: Path
    promoted: bool
    reason: str
    trained_from: pd.Timestamp
    trained_until: pd.Timestamp


def train(db_path: Path, *, config: Mapping[str, Any] | None = None) -> TrainResult:
    """Fit the live RiskModel on all labelled data, register it, promote it if it is better.

    The version names the recipe and the data; training the same recipe on the same data again
    changes nothing (the registered model stays as it is)."""
    config = config or load_models_config()
    inputs = load_inputs(db_path)
    panel = inputs.panel
    specs = {spec.name: spec for spec in panel.features}
    labelled = panel.frame[panel.frame["target_date"].notna()]
    trained_from, trained_until = labelled["as_of_date"].min(), labelled["as_of_date"].max()
    feature_hash = registry.feature_set_hash(panel.feature_names, specs)
    data_hash = registry.stable_hash([len(labelled), float(labelled["net_pnl"].sum()), str(trained_until)])
    recipe_hash = registry.stable_hash([registry.stable_hash(config), feature_hash, data_hash])
    version = f"rm-{trained_until:%Y%m%d}-{recipe_hash}"
    with connect(db_path, read_only=True) as con:
        require_ml_tables(con)
        existing = con.execute(
            "select status, artifact_path from ml.model_registry where model_version = ?", [version]
        ).fetchall()
        current = registry.champion(con)
    if existing and registry.is_readable(Path(existing[0][1])):
        status = existing[0][0]
        reason = f"already registered as {status}: same recipe, same data"
        return TrainResult(
            version, registry.models_dir() / version, False, reason, trained_from, trained_until
        )
    model, _ = fit_live(panel, inputs.returns, config)
    try:
        champion_model = (
            registry.load_model(Path(current["artifact_path"]), config, specs) if current else None
        )
    except registry.ArtifactDamaged as exc:
        champion_model, damaged = None, str(exc)
    else:
        damaged = None
    decision = promotion_decision(
        panel,
        inputs.returns,
        config,
        champion_model,
        pd.Timestamp(current["trained_until"]) if current else None,
    )
    if damaged:  # a champion that cannot be loaded cannot score: the new model replaces it
        decision = dataclasses.replace(decision, reason=f"the champion cannot be used: {damaged}")
    metadata = {
        "trained_from": trained_from.date(),
        "trained_until": trained_until.date(),
        "feature_set_hash": feature_hash,
        "params": {
            key: config[key] for key in ("lightgbm", "lightgbm_regularised", "logistic", "ensemble", "tuned")
        },
        "metrics": {
            "promotion": decision.reason,
            "challenger_log_loss": decision.challenger_log_loss,
            "champion_log_loss": decision.champion_log_loss,
            "unseen_rows": decision.rows,
        },
        "code_version": registry.code_version(),
    }
    artifact = registry.save_model(model, version, metadata)
    row = registry.registry_row(
        version, artifact, metadata, "champion" if decision.promote else "challenger", decision.promote
    )
    with connect(db_path) as con:
        registry.record(con, row, retire_champion=decision.promote)
    return TrainResult(version, artifact, decision.promote, decision.reason, trained_from, trained_until)


@dataclass(frozen=True)
class PredictResult:
    """A day's predictions; `reused` when an earlier live run scored the same inputs with the
    same model (its rows are returned, nothing is written)."""

    run_id: str
    model_version: str
    as_of: pd.Timestamp
    predictions: pd.DataFrame
    reused: bool = False
    blocked: Mapping[str, str] = field(default_factory=dict)  # trader (or firm) -> failing check


class DataCheckStop(Exception):
    """A critical data-check failure stopped every prediction of the day (ml.data_gate)."""


def predict(
    db_path: Path, *, as_of: pd.Timestamp | None = None, config: Mapping[str, Any] | None = None
) -> PredictResult:
    """Score the next trading day for every trader on the spine at `as_of` (default: the latest),
    except those a critical data-check failure stops (recorded in ml.blocked_predictions)."""
    config = config or load_models_config()
    inputs = load_inputs(db_path)
    panel = inputs.panel
    specs = {spec.name: spec for spec in panel.features}
    with connect(db_path, read_only=True) as con:
        current = registry.champion(con)
        gate = data_gate(con)
    if current is None:
        raise registry.NoChampion("no live model: run `riskman train` first")
    as_of = pd.Timestamp(as_of) if as_of is not None else panel.frame["as_of_date"].max()
    # What the checks stopped, not which check run said so: a rebuild on the same data re-runs
    # the checks under a new id and must not score the day again.
    fingerprint = registry.stable_hash(
        [input_hash(inputs, config, current["model_version"], as_of), sorted(gate.blocked.items())]
    )
    earlier = earlier_run(db_path, "live", fingerprint)
    if earlier is not None:
        with connect(db_path, read_only=True) as con:
            rows = con.execute("select * from ml.predictions where run_id = ?", [earlier]).df()
        return PredictResult(
            earlier, current["model_version"], as_of, rows, reused=True, blocked=gate.blocked
        )
    model = registry.load_model(Path(current["artifact_path"]), config, specs)
    X, panel_rows = model_inputs(model, panel, inputs.returns, config, pd.Timestamp(as_of))  # noqa: N806
    allowed = panel_rows["trader_id"].map(gate.allows).to_numpy(dtype=bool)
    blocked = blocked_rows(gate, sorted(set(panel_rows["trader_id"][~allowed])), pd.Timestamp(as_of))
    run_id = new_run_id("live")
    created = datetime.now(UTC)
    run = {
        "run_id": run_id,
        "run_kind": "live",
        "started_at": created,
        "code_version": registry.code_version(),
        "config_hash": registry.stable_hash(config),
        "feature_set_hash": current["feature_set_hash"],
        "note": f"scored with {current['model_version']}",
        "input_hash": fingerprint,
    }
    if not allowed.any():
        run |= {
            "finished_at": datetime.now(UTC),
            "note": f"stopped: {gate.blocked.get(FIRM, 'no trader passed')}",
        }
        with connect(db_path) as con:
            write_tables(
                con, {"runs": pd.DataFrame([run]), "blocked_predictions": blocked.assign(run_id=run_id)}
            )
        raise DataCheckStop(
            f"no prediction at the close of {as_of:%Y-%m-%d}: {run['note'].removeprefix('stopped: ')} "
            "(see `riskman build`'s data checks)"
        )
    X, panel_rows = X[allowed], panel_rows[allowed]  # noqa: N806
    scored = score_rows(model, X, panel_rows)
    scored["model_version"] = current["model_version"]
    rows = contract_rows(scored, run_id, "live", config, created)
    with connect(db_path, read_only=True) as con:
        load_ids = load_ids_behind(con, pd.Timestamp(as_of))
    audit_rows = prediction_input_rows(rows, X, panel_rows, load_ids)
    run |= {
        "finished_at": datetime.now(UTC),
        "first_test_date": rows["target_date"].min(),
        "last_test_date": rows["target_date"].max(),
    }
    with connect(db_path) as con:
        write_tables(
            con,
            {
                "runs": pd.DataFrame([run]),
                "predictions": rows,
                "prediction_inputs": audit_rows,
                "blocked_predictions": blocked.assign(run_id=run_id),
            },
        )
    return PredictResult(run_id, current["model_version"], pd.Timestamp(as_of), rows, blocked=gate.blocked)


def blocked_rows(gate: DataGate, traders: list[str], as_of: pd.Timestamp) -> pd.DataFrame:
    """ml.blocked_predictions rows (without run_id): the stopped traders, or one firm row."""
    subjects = [FIRM] if gate.firm_blocked else traders
    return pd.DataFrame(
        {
            "trader_id": subjects,
            "as_of_date": as_of.date(),
            "check_run_id": gate.check_run_id,
            "reason": [gate.blocked.get(subject, gate.blocked.get(FIRM, "")) for subject in subjects],
        },
        columns=["trader_id", "as_of_date", "check_run_id", "reason"],
    )


def latest_evaluation(db_path: Path) -> pd.DataFrame:
    """The pooled out-of-sample scores of the latest backtest run, one row per model × target × metric."""
    with connect(db_path, read_only=True) as con:
        require_ml_tables(con)
        return con.execute(
            """
            select e.model, e.target, e.metric, e.value, e.run_id
            from ml.evaluation as e
            where e.fold_id is null
              and e.run_id = (
                  select run_id from ml.runs where run_kind = 'backtest' order by finished_at desc limit 1
              )
            order by e.target, e.metric, e.model
            """
        ).df()
