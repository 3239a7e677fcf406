"""`riskman tune`: Optuna search over the main LightGBM member's parameters, per target.

The search sees only data up to `tuned_until` (default: the end of the backtest's first
validation window), cut into inner walk-forward folds; so the backtest's test windows never
inform the parameters it is scored with. Seeded TPE; a trial is pruned when its first inner folds
are worse than the median trial's. The best parameters and the number of trials go to the
`tuned:` block of config/models.yaml and to `ml.tuning_runs`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
import yaml

from ml.calibration import clipped_log_loss
from ml.config import TARGETS, lightgbm_settings, load_models_config, models_config_path, split_rounds
from ml.dataset import Panel
from ml.members import LightGBMClassifier
from ml.walk_forward import CombinatorialPurgedSplit, WalkForwardSplit

TUNED_MARKER = "tuned:"


@dataclass(frozen=True)
class TuningResult:
    target: str
    trials: int
    best_log_loss: float
    best_params: dict[str, Any]
    use_monotone: bool
    tuned_until: pd.Timestamp

    def summary(self) -> str:
        params = ", ".join(
            f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in self.best_params.items()
        )
        return (
            f"tune {self.target}: {self.trials} trials on data up to {self.tuned_until:%Y-%m-%d}, "
            f"best inner log loss {self.best_log_loss:.4f} "
            f"(monotone {'on' if self.use_monotone else 'off'}): {params}"
        )


def default_tuned_until(panel: Panel, config: Mapping[str, Any]) -> pd.Timestamp:
    wf = config["walk_forward"]
    first = panel.frame["as_of_date"].min()
    return first + pd.Timedelta(days=int(wf["initial_train_days"]) + int(wf["validation_days"]) - 1)


CV_SCHEMES = ("walk-forward", "cpcv")


def inner_folds(
    frame: pd.DataFrame, until: pd.Timestamp, embargo_days: int, cv: str = "walk-forward"
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, score) position pairs inside the tuning data (the data beyond `until` is never seen).

    walk-forward: half of the data to start, then 30-day windows, each scored on its validation
    window. cpcv: combinatorial purged CV (6 date groups, 2 scored at a time, purged and
    embargoed), which scores every part of the period, not only its end.
    """
    if cv == "cpcv":
        cpcv = CombinatorialPurgedSplit(n_groups=6, n_test_groups=2, embargo_days=embargo_days)
        return list(cpcv.split(frame["as_of_date"], frame["target_date"]))
    if cv != "walk-forward":
        raise ValueError(f"unknown cross-validation {cv!r}: choose one of {', '.join(CV_SCHEMES)}")
    span = (until - frame["as_of_date"].min()).days
    splitter = WalkForwardSplit(
        initial_train_days=max(60, span // 2),
        validation_days=30,
        step_days=30,
        embargo_days=embargo_days,
    )
    return [
        (fold.train, fold.validation) for fold in splitter.split(frame["as_of_date"], frame["target_date"])
    ]


def tune_target(
    panel: Panel,
    config: Mapping[str, Any],
    target: str,
    trials: int,
    until: pd.Timestamp,
    cv: str = "walk-forward",
) -> TuningResult:
    frame = panel.frame
    known = (frame["target_date"] <= until).to_numpy()
    rows = np.flatnonzero(known)
    sub = frame.iloc[rows].reset_index(drop=True)
    X = panel.X.iloc[rows].reset_index(drop=True)  # noqa: N806
    folds = inner_folds(sub, until, int(config["walk_forward"]["embargo_days"]), cv)
    if not folds:
        raise ValueError(f"too little data up to {until:%Y-%m-%d} to tune on")
    base_params, _ = split_rounds(lightgbm_settings(config, target))
    monotone = dict((config.get("monotone_constraints") or {}).get(target) or {})
    seed = int(config.get("random_state", 0))

    def objective(trial: optuna.Trial) -> float:
        params = {
            **base_params,
            "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.1, log=True),
            "num_leaves": trial.suggest_int("num_leaves", 4, 31),
            "min_data_in_leaf": trial.suggest_int("min_data_in_leaf", 20, 300, log=True),
            "feature_fraction": trial.suggest_float("feature_fraction", 0.3, 1.0),
            "lambda_l2": trial.suggest_float("lambda_l2", 1e-3, 30, log=True),
        }
        rounds = trial.suggest_int("num_boost_round", 50, 400, step=50)
        use_monotone = bool(monotone) and trial.suggest_categorical("monotone", [True, False])
        losses = []
        for step, (fit_rows, score_rows) in enumerate(folds):
            train = fit_rows[sub[target].iloc[fit_rows].notna().to_numpy()]
            test = score_rows[sub[target].iloc[score_rows].notna().to_numpy()]
            if len(test) == 0 or sub[target].iloc[train].nunique() < 2:
                continue
            model = LightGBMClassifier(
                params,
                rounds,
                list(X.columns),
                monotone=monotone if use_monotone else None,
                random_state=seed,
            ).fit(X.iloc[train], sub[target].iloc[train].to_numpy())
            losses.append(
                clipped_log_loss(sub[target].iloc[test].to_numpy(), model.predict_raw(X.iloc[test]))
            )
            trial.report(float(np.mean(losses)), step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return float(np.mean(losses)) if losses else float("inf")

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        direction="minimize",
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=3),
    )
    study.optimize(objective, n_trials=trials)
    best = dict(study.best_params)
    use_monotone = bool(best.pop("monotone", False))
    return TuningResult(target, trials, float(study.best_value), best, use_monotone, until)


def tuned_block(results: list[TuningResult]) -> dict[str, Any]:
    return {
        result.target: {
            "params": result.best_params,
            "monotone": result.use_monotone,
            "trials": result.trials,
            "tuned_until": f"{result.tuned_until:%Y-%m-%d}",
            "inner_log_loss": round(result.best_log_loss, 6),
        }
        for result in results
    }


def write_tuned(path: Path, block: Mapping[str, Any]) -> None:
    """Replace the top-level `tuned:` block of the config file, keeping every other line as it is
    (comments included); written to a temporary file and renamed."""
    lines = path.read_text().splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.startswith(TUNED_MARKER)), len(lines))
    end = start + 1
    while end < len(lines) and lines[end][:1] in (" ", "\t", "\n"):
        end += 1
    dumped = yaml.safe_dump({"tuned": dict(block)}, sort_keys=True, default_flow_style=False)
    temporary = path.with_suffix(".yaml.tmp")
    temporary.write_text("".join(lines[:start]) + dumped + "".join(lines[end:]))
    temporary.replace(path)


def tune(
    db_path: Path, *, trials: int, until: pd.Timestamp | None = None, cv: str = "walk-forward"
) -> list[TuningResult]:
    from ml.jobs import load_inputs, new_run_id
    from ml.store import write_tables
    from riskman.warehouse import connect

    config = load_models_config()
    panel = load_inputs(db_path).panel
    until = until or default_tuned_until(panel, config)
    results = [tune_target(panel, config, target, trials, until, cv) for target in TARGETS]
    write_tuned(models_config_path(), tuned_block(results))
    run_id = new_run_id("tune")
    rows = pd.DataFrame(
        [
            {
                "run_id": run_id,
                "target": r.target,
                "trials": r.trials,
                "best_log_loss": r.best_log_loss,
                "best_params": json.dumps({**r.best_params, "monotone": r.use_monotone}, sort_keys=True),
                "created_at": datetime.now(UTC),
            }
            for r in results
        ]
    )
    with connect(db_path) as con:
        write_tables(con, {"tuning_runs": rows})
    return results
