"""The model registry: live RiskModels as LightGBM text + JSON under `data/models/`, listed in
`ml.model_registry` with champion/challenger status.

An artifact is a folder written under a temporary name and renamed into place, so a crash never
leaves half an artifact under a real version. Loading reads only text and JSON: no pickle is
ever loaded (docs/architecture.md §9).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import lightgbm as lgb
import numpy as np
import pandas as pd

from ml.calibration import ProbabilityCalibrator
from ml.ensemble import EnsembleClassifier
from ml.members import MEMBER_KINDS
from ml.risk_model import RiskModel
from ml.tail_model import TailQuantileModel
from riskman.feature_catalog import FeatureSpec
from riskman.settings import PROJECT_ROOT, data_dir

METADATA_FILE = "model.json"
TAIL_FILE = "var_95__lightgbm_quantile.txt"


class NoChampion(Exception):
    """No live model is registered yet."""


def models_dir() -> Path:
    return Path(os.environ.get("RISKMAN_MODELS_DIR", data_dir() / "models"))


def code_version() -> str:
    """The git commit of the code that trained a model, or the package version outside git."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=5,
        )
        if out.returncode == 0:
            return out.stdout.strip()
    except OSError:
        pass
    from importlib.metadata import version

    return f"riskman-{version('riskman')}"


def stable_hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:12]


def feature_set_hash(inputs: Sequence[str], specs: Mapping[str, FeatureSpec]) -> str:
    """Changes when an input is added, removed, renamed or redefined."""
    return stable_hash([[name, getattr(specs.get(name), "definition", None)] for name in inputs])


def save_model(model: RiskModel, version: str, metadata: Mapping[str, Any], root: Path | None = None) -> Path:
    """Write the artifact folder `root/version` atomically; returns its path."""
    root = root or models_dir()
    root.mkdir(parents=True, exist_ok=True)
    final = root / version
    temporary = root / f".tmp-{version}-{os.getpid()}"
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir()
    stored: dict[str, Any] = {**metadata, "version": version, "inputs": model.inputs_, "targets": {}}
    for target, ensemble in model.ensembles_.items():
        members = {}
        for name, member in ensemble.members_.items():
            text, meta = member.to_artifact()
            if text is not None:
                meta["file"] = f"{target}__{name}.txt"
                (temporary / meta["file"]).write_text(text)
            members[name] = {**meta, "calibration": ensemble.calibrators_[name].to_dict()}
        stored["targets"][target] = {"members": members, "weights": ensemble.weights_, "eta": ensemble.eta}
    tail_text, tail_meta = model.tail_.to_artifact()
    (temporary / TAIL_FILE).write_text(tail_text)
    stored["tail"] = {**tail_meta, "file": TAIL_FILE}
    (temporary / METADATA_FILE).write_text(json.dumps(stored, indent=2, default=str))
    if final.exists():
        shutil.rmtree(final)
    os.replace(temporary, final)
    return final


class ArtifactDamaged(Exception):
    """A registered model's files are missing or unreadable."""


def load_model(path: Path, config: Mapping[str, Any], specs: Mapping[str, FeatureSpec]) -> RiskModel:
    """A RiskModel rebuilt from its artifact folder (text models and JSON only)."""
    try:
        return _load_model(path, config, specs)
    except (OSError, ValueError, KeyError, lgb.basic.LightGBMError) as exc:
        raise ArtifactDamaged(
            f"model artifact {path} cannot be read ({type(exc).__name__}: {exc}); run `riskman train` again"
        ) from exc


def is_readable(path: Path) -> bool:
    """Whether the artifact at `path` is there and parses (its text models included)."""
    try:
        _load_model(path, {}, {})
    except (OSError, ValueError, KeyError, lgb.basic.LightGBMError):
        return False
    return True


def _load_model(path: Path, config: Mapping[str, Any], specs: Mapping[str, FeatureSpec]) -> RiskModel:
    stored = json.loads((Path(path) / METADATA_FILE).read_text())
    model = RiskModel(config, specs)
    model.inputs_ = list(stored["inputs"])
    model.ensembles_ = {}
    for target, entry in stored["targets"].items():
        ensemble = EnsembleClassifier(members={}, eta=float(entry["eta"]))
        ensemble.members_, ensemble.calibrators_ = {}, {}
        for name, meta in entry["members"].items():
            text = (Path(path) / meta["file"]).read_text() if "file" in meta else None
            ensemble.members_[name] = MEMBER_KINDS[meta["kind"]].from_artifact(text, meta)
            ensemble.calibrators_[name] = ProbabilityCalibrator.from_dict(meta["calibration"])
        ensemble.weights_, ensemble.weight_losses_ = dict(entry["weights"]), {}  # exactly as trained
        model.ensembles_[target] = ensemble
    tail = stored["tail"]
    model.tail_ = TailQuantileModel.from_artifact((Path(path) / tail["file"]).read_text(), tail)
    return model


def champion(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    rows = con.execute(
        "select * from ml.model_registry where status = 'champion' order by promoted_at desc limit 1"
    ).df()
    return None if rows.empty else rows.iloc[0].to_dict()


def record(con: duckdb.DuckDBPyConnection, row: pd.DataFrame, *, retire_champion: bool) -> None:
    """Add a model to ml.model_registry (retiring the champion it replaces) in one transaction."""
    con.execute("begin transaction")
    try:
        # The same version again only after its artifact was lost: the new row replaces the old.
        con.execute("delete from ml.model_registry where model_version = ?", [row["model_version"].iloc[0]])
        if retire_champion:
            con.execute("update ml.model_registry set status = 'retired' where status = 'champion'")
        con.register("registry_row", row)
        con.execute("insert into ml.model_registry by name select * from registry_row")
        con.unregister("registry_row")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def registry_row(
    version: str,
    artifact: Path,
    metadata: Mapping[str, Any],
    status: str,
    promoted: bool,
) -> pd.DataFrame:
    now = datetime.now(UTC)
    return pd.DataFrame(
        [
            {
                "model_version": version,
                "target": "risk_model",
                "trained_from": metadata["trained_from"],
                "trained_until": metadata["trained_until"],
                "feature_set_hash": metadata["feature_set_hash"],
                "params": json.dumps(metadata["params"], sort_keys=True, default=str),
                "metrics": json.dumps(metadata["metrics"], sort_keys=True, default=_finite),
                "code_version": metadata["code_version"],
                "artifact_path": str(artifact),
                "status": status,
                "created_at": now,
                "promoted_at": now if promoted else None,
            }
        ]
    )


def _finite(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return float(value) if np.isfinite(value) else None
    return str(value)
