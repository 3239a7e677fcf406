"""Confidence intervals for the difference of a metric between two P&L series on the same days.

Daily P&L is serially dependent (vol clusters, tilt), so days are resampled in blocks: arch's
StationaryBootstrap (geometric block lengths, mean `block_days`), resampling both series with the
same days so the comparison stays paired.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from arch.bootstrap import StationaryBootstrap

Metric = Callable[[np.ndarray], float]


@dataclass(frozen=True)
class DifferenceInterval:
    """metric(a) − metric(b) on the observed days and its bootstrap interval."""

    difference: float
    low: float
    high: float
    level: float

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


def paired_difference_interval(
    a: np.ndarray,
    b: np.ndarray,
    metric: Metric,
    *,
    block_days: int = 20,
    reps: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> DifferenceInterval:
    intervals = paired_difference_intervals(
        a, b, {"metric": metric}, block_days=block_days, reps=reps, level=level, seed=seed
    )
    return intervals["metric"]


def paired_difference_intervals(
    a: np.ndarray,
    b: np.ndarray,
    metrics: Mapping[str, Metric],
    *,
    block_days: int = 20,
    reps: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> dict[str, DifferenceInterval]:
    """metric(a) − metric(b) for each metric, all from the same resampled days."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"the two series must cover the same days ({a.shape} vs {b.shape})")
    functions = list(metrics.values())

    def differences(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.array([metric(x) - metric(y) for metric in functions])

    bootstrap = StationaryBootstrap(block_days, a, b, seed=seed)
    interval = bootstrap.conf_int(differences, reps=reps, method="percentile", size=level)
    observed = differences(a, b)
    return {
        name: DifferenceInterval(float(observed[i]), float(interval[0, i]), float(interval[1, i]), level)
        for i, name in enumerate(metrics)
    }
