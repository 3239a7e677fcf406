"""The models' configuration (`config/models.yaml`, or `$RISKMAN_MODELS_CONFIG`) and the policy
backtest's (`config/backtest.yaml`, or `$RISKMAN_BACKTEST_CONFIG`) and monitoring's
(`config/monitoring.yaml`, or `$RISKMAN_MONITORING_CONFIG`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from riskman.settings import PROJECT_ROOT

TARGETS = ("is_loss", "is_large_loss")


def models_config_path() -> Path:
    return Path(os.environ.get("RISKMAN_MODELS_CONFIG", PROJECT_ROOT / "config" / "models.yaml"))


def load_models_config(path: Path | None = None) -> dict[str, Any]:
    return yaml.safe_load(Path(path or models_config_path()).read_text()) or {}


def backtest_config_path() -> Path:
    return Path(os.environ.get("RISKMAN_BACKTEST_CONFIG", PROJECT_ROOT / "config" / "backtest.yaml"))


BACKTEST_SECTIONS = ("capital", "costs", "firm_budget", "selection", "bootstrap", "success", "policies")
MONITORING_SECTIONS = ("drift", "alerts", "channels", "health")


def load_backtest_config(path: Path | None = None) -> dict[str, Any]:
    return _with_sections(Path(path or backtest_config_path()), BACKTEST_SECTIONS)


def monitoring_config_path() -> Path:
    return Path(os.environ.get("RISKMAN_MONITORING_CONFIG", PROJECT_ROOT / "config" / "monitoring.yaml"))


def load_monitoring_config(path: Path | None = None) -> dict[str, Any]:
    return _with_sections(Path(path or monitoring_config_path()), MONITORING_SECTIONS)


def _with_sections(path: Path, sections: tuple[str, ...]) -> dict[str, Any]:
    """The YAML at `path`; a missing section is one ValueError naming it (the CLI prints one line)."""
    config = yaml.safe_load(path.read_text()) or {}
    missing = [section for section in sections if not isinstance(config.get(section), dict)]
    if missing:
        raise ValueError(
            f"{path} lacks the section(s) {', '.join(missing)}: see the shipped config/{path.name}"
        )
    return config


def lightgbm_settings(config: dict[str, Any], target: str, member: str = "lightgbm") -> dict[str, Any]:
    """The member's LightGBM settings for a target: defaults overlaid with the tuned values."""
    settings = dict(config.get(member) or {})
    if member == "lightgbm":  # `riskman tune` writes tuned.<target>.params
        settings.update(((config.get("tuned") or {}).get(target) or {}).get("params") or {})
    return settings


def split_rounds(settings: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """LightGBM params without the round count, and the round count."""
    params = dict(settings)
    return params, int(params.pop("num_boost_round", 200))


def monotone_for(config: dict[str, Any], target: str) -> dict[str, int] | None:
    """The target's monotone constraints if tuning kept them (default: used)."""
    tuned = (config.get("tuned") or {}).get(target) or {}
    if tuned.get("monotone") is False:
        return None
    return dict((config.get("monotone_constraints") or {}).get(target) or {}) or None
