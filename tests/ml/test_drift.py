"""Drift tests: the false-alarm rate holds at a trader's sample sizes on independent and on
strongly autocorrelated series, a real shift is found, and Benjamini–Hochberg controls the
false discovery rate across many tests."""

from __future__ import annotations

import numpy as np
import pytest

from ml.monitoring.drift import (
    attainable_p_value,
    benjamini_hochberg,
    drift_test,
    effective_size,
    psi,
    tarone_screen,
)

ALPHA = 0.05


def ar1(n: int, rho: float, rng: np.random.Generator) -> np.ndarray:
    x = np.empty(n)
    x[0] = rng.standard_normal()
    noise = rng.standard_normal(n) * np.sqrt(1 - rho**2)
    for i in range(1, n):
        x[i] = rho * x[i - 1] + noise[i]
    return x


def alarm_rate(rho: float, n_ref: int, n_cur: int, shift: float, reps: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    alarms = 0
    for _ in range(reps):
        x = ar1(n_ref + n_cur, rho, rng)
        x[n_ref:] += shift
        alarms += drift_test(x[:n_ref], x[n_ref:]).p_value < ALPHA
    return alarms / reps


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.95])
@pytest.mark.parametrize(("n_ref", "n_cur"), [(250, 20), (120, 10)])
def test_without_drift_the_false_alarm_rate_is_at_most_nominal(rho, n_ref, n_cur):
    rate = alarm_rate(rho, n_ref, n_cur, shift=0.0, reps=400, seed=3)
    # 400 draws of a 5% event: sd 1.1 points; allow two.
    assert rate <= ALPHA + 0.022, rate


def test_a_month_of_a_one_sd_shift_in_a_daily_series_is_found():
    assert alarm_rate(0.0, 250, 20, shift=1.0, reps=200, seed=4) >= 0.8


def test_fixed_cut_offs_would_fire_constantly_at_these_sizes():
    """The reason for the calibration: PSI > 0.1 on 20 days of an unchanged series fires most of the time."""
    rng = np.random.default_rng(5)
    fired = [psi(rng.standard_normal(250), rng.standard_normal(20))[0] > 0.1 for _ in range(300)]
    assert np.mean(fired) > 0.5


def test_a_strongly_dependent_series_counts_as_fewer_observations():
    rng = np.random.default_rng(6)
    assert effective_size(ar1(200, 0.0, rng)) > 150
    assert effective_size(ar1(200, 0.95, rng)) < 20


def test_too_few_values_or_a_constant_reference_is_no_test():
    assert drift_test(np.arange(3.0), np.arange(20.0)) is None
    assert drift_test(np.ones(100), np.arange(20.0)) is None


def test_benjamini_hochberg_rejects_the_step_up_set():
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    # Ranks 1..10 against 0.05·k/10: the largest k with p_(k) ≤ 0.005·k is k = 2.
    assert benjamini_hochberg(p, 0.05).tolist() == [True, True] + [False] * 8
    assert not benjamini_hochberg(np.array([0.5, 0.9]), 0.05).any()


def test_benjamini_hochberg_holds_the_familywise_rate_under_the_complete_null():
    rng = np.random.default_rng(7)
    any_rejected = [benjamini_hochberg(rng.uniform(size=200), 0.05).any() for _ in range(2000)]
    assert np.mean(any_rejected) <= 0.05 + 0.01


def test_tarones_screen_counts_only_the_tests_that_can_reach_their_level():
    # K = 3: three tests can reach 0.05/3 and no more than three; the 97 others cannot reach 0.05/3.
    attainable = np.array([1e-6, 1e-5, 1e-3] + [0.2] * 97)
    assert tarone_screen(attainable, 0.05).tolist() == [True] * 3 + [False] * 97
    # Every test can reach anything: all count, as in plain Benjamini-Hochberg.
    assert tarone_screen(np.full(50, 1e-9), 0.05).all()


def test_no_current_window_gives_a_smaller_p_value_than_the_attainable_one():
    rng = np.random.default_rng(11)
    reference = rng.standard_normal(250)
    for inflation in (1.0, 4.0, 19.0):
        for shift in (0.0, 1.0, 3.0, 10.0):
            test = drift_test(reference, rng.standard_normal(20) + shift, inflation=inflation)
            assert test.p_value >= attainable_p_value(test)
        # Every current value beyond the reference's range reaches the floor.
        beyond = drift_test(reference, np.full(20, reference.max() + 1), inflation=inflation)
        assert beyond.p_value == pytest.approx(attainable_p_value(beyond))
    # A month of a 60-day rolling feature is worth about one draw: it can never reach 5%.
    assert attainable_p_value(drift_test(reference, rng.standard_normal(20), inflation=19.0)) > 0.05


def test_the_flagging_p_value_holds_deep_in_the_tail_at_a_dozen_days():
    """Benjamini-Hochberg over hundreds of tests decides near 10⁻⁴. At 12 current days PSI's χ² law
    is anti-conservative there (min(PSI, KS) with Bonferroni: 5.4× the nominal share in 10⁵
    draws); the detector flags on KS, within its law."""
    rng = np.random.default_rng(12)
    draws = 60_000
    below = sum(
        drift_test(rng.standard_normal(250), rng.standard_normal(12), inflation=1.0).p_value < 1e-4
        for _ in range(draws)
    )
    # 6 expected at the nominal rate; Poisson(6) reaches 16 once in ~2,000 runs.
    assert below <= 15, below


def test_the_psi_p_value_is_calibrated_not_just_conservative():
    """Under no drift, PSI's own p-value falls below 5% about 5% of the time (bins the current
    window can fill): a test that never fires would also 'hold' the false-alarm rate."""
    rng = np.random.default_rng(8)
    fired = [
        drift_test(rng.standard_normal(250), rng.standard_normal(20)).psi_p_value < ALPHA for _ in range(600)
    ]
    assert 0.015 <= np.mean(fired) <= 0.075


def test_ks_distance_is_scipys_statistic():
    from scipy.stats import ks_2samp

    from ml.monitoring.drift import ks_distance

    rng = np.random.default_rng(7)
    for _ in range(20):
        a, b = rng.standard_normal(250).round(1), rng.standard_normal(20).round(1) + 0.3  # with ties
        assert ks_distance(a, b) == pytest.approx(ks_2samp(a, b).statistic)


def test_window_inflation_is_the_ar1_inflation_for_an_ar1_series_and_sees_long_memory():
    from ml.monitoring.drift import variance_inflation, window_inflation

    rho = 0.5
    assert window_inflation(rho ** np.arange(1, 400), 400) == pytest.approx(variance_inflation(rho), rel=0.01)
    # A small correlation that lasts: lag 1 says nearly independent, the window says otherwise.
    slow = np.full(19, 0.2)
    assert variance_inflation(0.2) < 1.6 < window_inflation(slow, 20)
