"""The default rule from a prediction to the contract's `risk_score` and `recommended_size`.

Documented in docs/models.md; the constants are `sizing:` in config/models.yaml. The backtest
compares this rule (and tuned policies) with doing nothing and with simple rules.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def risk_score(p_large_loss: np.ndarray, sizing: Mapping[str, float]) -> np.ndarray:
    """0–100: the large-loss probability against the level the firm calls maximal risk."""
    full = float(sizing["risk_score_full_at_p_large_loss"])
    return np.round(100 * np.clip(np.asarray(p_large_loss, dtype=float) / full, 0, 1), 1)


def recommended_size(p_large_loss: np.ndarray, sizing: Mapping[str, float]) -> np.ndarray:
    """Multiplier of normal size: 1 below a low large-loss risk, falling linearly to a floor."""
    low = float(sizing["full_size_below_p_large_loss"])
    high = float(sizing["min_size_at_p_large_loss"])
    floor = float(sizing["min_size"])
    p = np.asarray(p_large_loss, dtype=float)
    share = np.clip((p - low) / (high - low), 0, 1)
    return np.round(1 - share * (1 - floor), 3)
