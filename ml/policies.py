"""Sizing policies: from what is known at the close of as_of_date to the size for target_date.

A policy is a rule applied to one signal column with parameters (config/backtest.yaml). Rules are
vectorised over trader-days and see only the signal; where the signal is missing (no prediction,
too little history) the trader keeps normal size 1. Sizes are multipliers of normal size in [0, 1].
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Params = Mapping[str, float]
Rule = Callable[[np.ndarray, Params], np.ndarray]
FAMILIES = ("none", "rule", "model")


def full_size(signal: np.ndarray, params: Params) -> np.ndarray:
    return np.ones_like(signal, dtype=float)


def cut_above(signal: np.ndarray, params: Params) -> np.ndarray:
    """`cut_size` when the signal is at or above `threshold`, else 1."""
    return np.where(signal >= float(params["threshold"]), float(params["cut_size"]), 1.0)


def scale_inverse(signal: np.ndarray, params: Params) -> np.ndarray:
    """target / signal, between `floor` and 1: the size that brings a risk ratio down to target."""
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = float(params["target"]) / signal
    return np.clip(np.where(signal > 0, raw, 1.0), float(params["floor"]), 1.0)


def scale_linear(signal: np.ndarray, params: Params) -> np.ndarray:
    """1 up to `p_low`, falling linearly to `floor` at `p_high` and above."""
    low, high, floor = float(params["p_low"]), float(params["p_high"]), float(params["floor"])
    share = np.clip((signal - low) / (high - low), 0.0, 1.0)
    return 1.0 - share * (1.0 - floor)


RULES: Mapping[str, Rule] = {
    "full_size": full_size,
    "cut_above": cut_above,
    "scale_inverse": scale_inverse,
    "scale_linear": scale_linear,
}


@dataclass(frozen=True)
class Policy:
    name: str
    family: str
    rule: str
    signal: str | None = None
    description: str = ""
    default: Params = field(default_factory=dict)
    grid: tuple[Params, ...] = ()
    firm_budget: bool = False

    def sizes(self, signals: Mapping[str, np.ndarray], params: Params | None = None) -> np.ndarray:
        """The size each row asks for; 1 where the signal is unknown."""
        params = self.default if params is None else params
        if self.signal is None:
            shape = np.shape(next(iter(signals.values())))
            return np.ones(shape)
        values = np.asarray(signals[self.signal], dtype=float)
        known = np.isfinite(values)
        return np.where(known, RULES[self.rule](np.where(known, values, 0.0), params), 1.0)

    def candidates(self) -> tuple[Params, ...]:
        """Every parameter set the selection may choose from: the grid, and the default if not in it."""
        grid = tuple(self.grid)
        return grid if self.default in grid or not self.default else (dict(self.default), *grid)


def expand_grid(grid: Mapping[str, list[Any]]) -> tuple[dict[str, float], ...]:
    """Every combination of the listed values; combinations a rule cannot use are dropped."""
    names = list(grid)
    combos = [dict(zip(names, values, strict=True)) for values in itertools.product(*grid.values())]
    return tuple(c for c in combos if not ("p_low" in c and "p_high" in c and c["p_low"] >= c["p_high"]))


def policies_from_config(config: Mapping[str, Any]) -> tuple[Policy, ...]:
    policies = []
    for name, spec in config["policies"].items():
        if spec["family"] not in FAMILIES:
            raise ValueError(f"policy {name}: family must be one of {FAMILIES}, got {spec['family']!r}")
        if spec["rule"] not in RULES:
            raise ValueError(f"policy {name}: unknown rule {spec['rule']!r}; expected one of {sorted(RULES)}")
        policies.append(
            Policy(
                name=name,
                family=spec["family"],
                rule=spec["rule"],
                signal=spec.get("signal"),
                description=" ".join(str(spec.get("description", "")).split()),
                default=dict(spec.get("default") or {}),
                grid=expand_grid(spec.get("grid") or {}),
                firm_budget=bool(spec.get("firm_budget", False)),
            )
        )
    if not any(p.family == "none" for p in policies):
        raise ValueError("config/backtest.yaml needs a policy of family none (doing nothing)")
    return tuple(policies)
