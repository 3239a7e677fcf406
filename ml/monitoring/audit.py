"""The audit trail: every live prediction traceable to its model version and artifact, the exact
input row it was scored from (stored, with its hash), the loads behind the trader's data that
close, later the realised outcome, and the risk manager's decisions on it. `riskman audit TRADER
DATE` prints the chain and scores the stored row again with the stored artifact to show that it
gives the same numbers.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ml import registry
from ml.config import load_models_config
from ml.monitoring.overrides import overrides_for
from ml.store import require_ml_tables, require_warehouse
from riskman.feature_catalog import discover_features, manifest_path
from riskman.warehouse import connect

SCALE_COLUMN = "pnl_scale_usd"
COMPARED = ("p_loss", "p_large_loss", "var_95_usd")


def inputs_json(X_row: pd.Series, scale: float) -> str:  # noqa: N803
    """The row's inputs as JSON with exact floats (Python's repr round-trips a float64)."""
    values = {name: (None if pd.isna(v) else float(v)) for name, v in X_row.items()}
    values[SCALE_COLUMN] = float(scale)
    return json.dumps(values, sort_keys=True)


def feature_hash(inputs: str) -> str:
    return hashlib.sha256(inputs.encode()).hexdigest()


def prediction_input_rows(
    predictions: pd.DataFrame,
    X: pd.DataFrame,
    frame: pd.DataFrame,
    load_ids: Mapping[str, list[str]],  # noqa: N803
) -> pd.DataFrame:
    """ml.prediction_inputs rows for contract rows `predictions` scored from X / frame (same order)."""
    texts = [inputs_json(X.iloc[i], frame[SCALE_COLUMN].iloc[i]) for i in range(len(X))]
    return pd.DataFrame(
        {
            "run_id": predictions["run_id"].to_numpy(),
            "trader_id": predictions["trader_id"].to_numpy(),
            "target_date": predictions["target_date"].to_numpy(),
            "as_of_date": predictions["as_of_date"].to_numpy(),
            "model_version": predictions["model_version"].to_numpy(),
            "feature_hash": [feature_hash(t) for t in texts],
            "inputs": texts,
            "load_ids": [json.dumps(load_ids.get(t, [])) for t in predictions["trader_id"]],
        }
    )


def load_ids_behind(con, as_of: pd.Timestamp) -> dict[str, list[str]]:
    """Per trader, the raw load ids of its accounts' fills and daily totals on `as_of` (the newest
    version staging shows): which files the close's numbers came from."""
    rows = con.execute(
        """
        with days as (
            select account_name, _load_id from staging.stg_propreports__fills where trade_date = ?
            union
            select account_name, _load_id from staging.stg_propreports__daily_totals where trade_date = ?
        )
        select m.trader_id, list(distinct d._load_id order by d._load_id) as load_ids
        from days as d
        inner join intermediate.int_accounts_mapped_to_traders as m on d.account_name = m.account_name
        group by m.trader_id
        """,
        [as_of.date(), as_of.date()],
    ).fetchall()
    return {trader: [str(i) for i in ids] for trader, ids in rows}


class NothingToAudit(Exception):
    """No live prediction for that trader and day."""


@dataclass(frozen=True)
class AuditChain:
    prediction: pd.Series
    inputs: pd.Series
    model: pd.Series
    outcome: pd.Series | None
    recomputed: Mapping[str, float] | None
    hash_matches: bool
    overrides: pd.DataFrame  # the risk manager's decisions on it (ml.monitoring.overrides)

    @property
    def matches(self) -> bool:
        if self.recomputed is None:
            return False
        return self.hash_matches and all(_same(self.prediction[c], self.recomputed[c]) for c in COMPARED)

    def lines(self) -> list[str]:
        p, i, m = self.prediction, self.inputs, self.model
        days = f"for {p['target_date']:%Y-%m-%d} (close of {p['as_of_date']:%Y-%m-%d})"
        numbers = f"P(loss) {p['p_loss']:.6f}, P(large loss) {p['p_large_loss']:.6f}"
        trained = f"trained {m['trained_from']} → {m['trained_until']}"
        loads = ", ".join(json.loads(i["load_ids"] or "[]")) or "none recorded"
        out = [
            f"prediction  {p['trader_id']} {days}, run {p['run_id']} at {p['created_at']}",
            f"  {numbers}, 5% tail {p['var_95_usd']:.2f}, risk {p['risk_score']:.1f}, "
            f"size ×{p['recommended_size']:.3f}",
            f"  why: {p['top_reasons']}",
            f"model       {m['model_version']} ({m['status']}), {trained}, artifact {m['artifact_path']}",
            f"inputs      {len(json.loads(i['inputs'])) - 1} model inputs, sha256 {i['feature_hash']}"
            + ("" if self.hash_matches else " (DOES NOT MATCH the stored inputs)"),
            f"data loads  {loads}",
        ]
        if self.outcome is None:
            out.append("outcome     not known yet (or the trader did not trade that day)")
        else:
            o = self.outcome
            out.append(
                f"outcome     net P&L {o['net_pnl']:,.2f}: loss {bool(o['is_loss'])}, large loss "
                f"{'unknown' if pd.isna(o['is_large_loss']) else bool(o['is_large_loss'])}"
            )
        for o in self.overrides.itertuples(index=False):
            size = "" if pd.isna(o.size) else f" size ×{o.size:.2f}"
            on = "this prediction" if o.prediction_run_id == p["run_id"] else f"run {o.prediction_run_id}"
            out.append(
                f"decision    {o.action}{size} by {o.recorded_by} at {o.recorded_at:%Y-%m-%d %H:%M} UTC "
                f"on {on}: {o.reason}"
                + (" (queued: joins the warehouse at its next write)" if o.pending else "")
            )
        if self.recomputed is not None:
            again = ", ".join(f"{c} {self.recomputed[c]:.6f}" for c in COMPARED)
            out.append(f"recomputed  {again}: {'MATCHES' if self.matches else 'DIFFERS'}")
        return out


def _same(a: float, b: float) -> bool:
    return (pd.isna(a) and pd.isna(b)) or math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def audit(
    db_path: Path,
    trader_id: str,
    target_date: pd.Timestamp,
    *,
    recompute: bool = True,
    inbox_of: Path | None = None,
) -> AuditChain:
    """The chain behind the live prediction for `trader_id` on `target_date` in the warehouse at
    `db_path`, with the decisions still queued in the inbox of `inbox_of` (default: `db_path`'s
    own; the viewer reads a published copy and passes the warehouse)."""
    require_warehouse(db_path)
    inbox_of = inbox_of or db_path
    with connect(db_path, read_only=True) as con:
        require_ml_tables(con)
        prediction = con.execute(
            """select p.* from ml.predictions as p inner join ml.runs as r on p.run_id = r.run_id
               where p.run_kind = 'live' and p.trader_id = ? and p.target_date = ?
               order by r.finished_at desc limit 1""",
            [trader_id, target_date.date()],
        ).df()
        if prediction.empty:
            raise NothingToAudit(f"no live prediction for {trader_id} on {target_date:%Y-%m-%d}")
        prediction = prediction.iloc[0]
        inputs = con.execute(
            "select * from ml.prediction_inputs where run_id = ? and trader_id = ? and target_date = ?",
            [prediction["run_id"], trader_id, target_date.date()],
        ).df()
        if inputs.empty:
            raise NothingToAudit(f"the prediction of run {prediction['run_id']} has no stored inputs")
        model = (
            con.execute(
                "select * from ml.model_registry where model_version = ?", [prediction["model_version"]]
            )
            .df()
            .iloc[0]
        )
        outcome = con.execute(
            "select net_pnl, is_loss, is_large_loss from labels.lbl_next_day_outcomes"
            " where trader_id = ? and as_of_date = ?",
            [trader_id, pd.Timestamp(prediction["as_of_date"]).date()],
        ).df()
        decisions = overrides_for(con, trader_id, target_date, inbox_of)
    inputs = inputs.iloc[0]
    hash_matches = feature_hash(inputs["inputs"]) == inputs["feature_hash"]
    recomputed = _recompute(model, inputs["inputs"]) if recompute else None
    for column in ("as_of_date", "target_date"):
        prediction[column] = pd.Timestamp(prediction[column])
    return AuditChain(
        prediction,
        inputs,
        model,
        None if outcome.empty else outcome.iloc[0],
        recomputed,
        hash_matches,
        decisions,
    )


def _recompute(model_row: pd.Series, inputs: str) -> dict[str, float]:
    specs = {spec.name: spec for spec in discover_features(manifest_path())}
    model = registry.load_model(Path(model_row["artifact_path"]), load_models_config(), specs)
    values: dict[str, Any] = json.loads(inputs)
    scale = values.pop(SCALE_COLUMN)
    X = pd.DataFrame([{k: (np.nan if v is None else v) for k, v in values.items()}])[list(model.inputs_)]  # noqa: N806
    predicted = model.predict(X, pd.DataFrame({SCALE_COLUMN: [scale]}))
    return {column: float(predicted[column].iloc[0]) for column in COMPARED}
