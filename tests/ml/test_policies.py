"""Sizing policies: each rule's size from its signal, normal size where the signal is unknown, and
the parameter grids the selection chooses from."""

from __future__ import annotations

import numpy as np
import pytest

from ml.config import load_backtest_config
from ml.policies import Policy, cut_above, expand_grid, policies_from_config, scale_inverse, scale_linear


def test_cut_above_cuts_at_and_above_the_threshold():
    sizes = cut_above(np.array([0.1, 0.3, 0.5]), {"threshold": 0.3, "cut_size": 0.25})
    assert sizes.tolist() == [1.0, 0.25, 0.25]


def test_scale_inverse_brings_the_ratio_to_target_between_floor_and_one():
    sizes = scale_inverse(np.array([0.5, 2.0, 10.0, 0.0]), {"target": 1.0, "floor": 0.25})
    assert sizes.tolist() == [1.0, 0.5, 0.25, 1.0]


def test_scale_linear_falls_from_one_to_the_floor():
    sizes = scale_linear(np.array([0.1, 0.2, 0.3, 0.9]), {"p_low": 0.1, "p_high": 0.3, "floor": 0.2})
    assert sizes == pytest.approx([1.0, 0.6, 0.2, 0.2])


def test_an_unknown_signal_keeps_normal_size():
    # Threshold 0: any known signal cuts, so only a missing one can keep size 1.
    policy = Policy("cut", "rule", "cut_above", "losing_streak", default={"threshold": 0.0, "cut_size": 0.0})
    sizes = policy.sizes({"losing_streak": np.array([[2.0, np.nan], [0.0, 5.0]])})
    assert sizes.tolist() == [[0.0, 1.0], [0.0, 0.0]]


def test_grids_drop_combinations_a_rule_cannot_use_and_keep_the_default_as_a_candidate():
    grid = expand_grid({"p_low": [0.1, 0.4], "p_high": [0.3, 0.5], "floor": [0.0]})
    assert [(g["p_low"], g["p_high"]) for g in grid] == [(0.1, 0.3), (0.1, 0.5), (0.4, 0.5)]
    policy = Policy(
        "s", "model", "scale_linear", "p", default={"p_low": 0.2, "p_high": 0.3, "floor": 0.0}, grid=grid
    )
    assert policy.candidates()[0] == policy.default and len(policy.candidates()) == 4


def test_the_shipped_config_has_doing_nothing_every_rule_baseline_and_model_policies():
    policies = {p.name: p for p in policies_from_config(load_backtest_config())}
    assert policies["no_intervention"].family == "none"
    rules = {p.signal for p in policies.values() if p.family == "rule"}
    assert rules == {
        "trailing_loss_rate_20d",
        "losing_streak",
        "drawdown_vol_units",
        "volatility_ratio_20d_60d",
    }
    model_signals = {p.signal for p in policies.values() if p.family == "model"}
    assert {"p_large_loss", "tail_vs_loss_limit"} <= model_signals
    assert any(p.firm_budget for p in policies.values())


def test_a_config_with_an_unknown_rule_is_refused():
    config = load_backtest_config()
    config["policies"]["bad"] = {"family": "model", "rule": "guess", "signal": "p_loss"}
    with pytest.raises(ValueError, match="unknown rule 'guess'"):
        policies_from_config(config)
