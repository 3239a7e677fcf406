"""Regime probabilities and GARCH volatility on synthetic returns: right regime, causal, NaN kept NaN."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.regime_switching.markov_regression import MarkovRegression
from statsmodels.tsa.regime_switching.markov_switching import MarkovSwitchingResults

import ml.regime
from ml.regime import (
    FITTED_UNTIL_COLUMN,
    HIGH_VOL_COLUMN,
    RegimeModel,
    garch_next_day_volatility,
    regime_columns,
    walk_forward_regime_probabilities,
)

N_DAYS = 800
VOLATILE = slice(450, 600)  # day positions of the volatile stretch; the rest is calm
CUT = 455  # position of D, after which the future is changed: early in the volatile stretch, where
# the filter is unsure and the smoother would learn most from the days after
CALM = 441  # days before the volatile stretch, for a fit on calm days only
REFITS = [300, 400, CUT]  # refit positions, all <= D


def _returns(seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    volatility = np.full(N_DAYS, 0.008)
    volatility[VOLATILE] = 0.025
    return pd.Series(
        rng.normal(0.0003, volatility), index=pd.bdate_range("2020-01-01", periods=N_DAYS), name="ret"
    )


@pytest.fixture(scope="module")
def returns() -> pd.Series:
    return _returns()


@pytest.fixture(scope="module")
def future_changed(returns) -> pd.Series:
    """The same returns up to D; the later ones shuffled (calm and volatile days mixed)."""
    changed = returns.copy()
    changed.iloc[CUT + 1 :] = np.random.default_rng(1).permutation(changed.iloc[CUT + 1 :].to_numpy())
    return changed


def _refit_dates(returns: pd.Series) -> list:
    return [returns.index[i].date() for i in REFITS]


def test_high_vol_probability_is_high_in_the_volatile_stretch_and_low_in_the_calm_one(returns):
    model = RegimeModel().fit(returns)
    probabilities = model.filtered_probabilities(returns)

    assert model.converged_
    assert model.n_obs_ == N_DAYS and model.fitted_until_ == returns.index[-1]
    variances = model.params_[[f"sigma2[{i}]" for i in model.regime_order_]].to_numpy()
    assert np.all(np.diff(variances) > 0)
    assert list(probabilities.columns) == ["regime_p_0", "regime_p_1", HIGH_VOL_COLUMN]
    assert np.allclose(probabilities[["regime_p_0", "regime_p_1"]].sum(axis=1), 1)
    assert probabilities[HIGH_VOL_COLUMN].equals(probabilities["regime_p_1"])
    high = probabilities[HIGH_VOL_COLUMN].to_numpy()
    # A few days after each switch for the filter to notice it.
    assert high[VOLATILE.start + 10 : VOLATILE.stop].mean() > 0.9
    assert high[20 : VOLATILE.start].mean() < 0.1
    assert high[VOLATILE.stop + 10 :].mean() < 0.1


def test_regimes_are_ordered_by_variance_whatever_statsmodels_numbers_them(monkeypatch, returns):
    expected = RegimeModel().fit(returns).filtered_probabilities(returns)
    real_fit = MarkovRegression.fit

    class Relabelled:
        """statsmodels' result with the two regimes' numbers swapped: the same model."""

        def __init__(self, result) -> None:
            p00, p10, c0, c1, s0, s1 = result.params
            self.params = np.array([1 - p10, 1 - p00, c1, c0, s1, s0])
            self.llf, self.mle_retvals = result.llf, result.mle_retvals

    monkeypatch.setattr(MarkovRegression, "fit", lambda self, **kwargs: Relabelled(real_fit(self, **kwargs)))
    model = RegimeModel().fit(returns)
    assert list(model.regime_order_) == [1, 0]
    pd.testing.assert_frame_equal(model.filtered_probabilities(returns), expected, atol=1e-8)


def test_filtered_probabilities_do_not_use_the_future(returns, future_changed):
    up_to_d = returns.index <= returns.index[CUT]
    model = RegimeModel().fit(returns[up_to_d])
    before, after = model.filtered_probabilities(returns), model.filtered_probabilities(future_changed)
    assert np.allclose(before[up_to_d], after[up_to_d], rtol=0, atol=1e-12)
    # The change is big enough to show after D, so the comparison above could fail.
    assert not np.allclose(before[~up_to_d], after[~up_to_d], atol=1e-3)

    refits = _refit_dates(returns)
    walk_before = walk_forward_regime_probabilities(returns, refits, RegimeModel())
    walk_after = walk_forward_regime_probabilities(future_changed, refits, RegimeModel())
    columns = regime_columns(2)
    before, after = walk_before[columns].to_numpy(), walk_after[columns].to_numpy()
    assert np.allclose(before[up_to_d], after[up_to_d], rtol=0, atol=1e-12)
    assert walk_before.loc[up_to_d, FITTED_UNTIL_COLUMN].equals(walk_after.loc[up_to_d, FITTED_UNTIL_COLUMN])
    assert not np.allclose(before[~up_to_d], after[~up_to_d], atol=1e-3)


def _statsmodels_model(returns: pd.Series) -> MarkovRegression:
    return MarkovRegression(returns.to_numpy() * 100, k_regimes=2, trend="c", switching_variance=True)


def _forbid(monkeypatch, name: str) -> None:
    """Reading `name` off statsmodels' results raises, except in statsmodels' own results constructor
    (which transposes the arrays while `fit` builds its result)."""

    def read(self):
        if inspect.currentframe().f_back.f_code is MarkovSwitchingResults.__init__.__code__:
            return self.__dict__[f"_forbidden_{name}"]
        raise AssertionError(f"{name} was read")

    def write(self, value) -> None:
        self.__dict__[f"_forbidden_{name}"] = value

    monkeypatch.setattr(MarkovSwitchingResults, name, property(read, write), raising=False)


def test_smoothed_probabilities_are_never_used(monkeypatch, returns, future_changed):
    source = inspect.getsource(ml.regime)
    assert "smoothed_" not in source and ".smooth(" not in source

    _forbid(monkeypatch, "smoothed_marginal_probabilities")
    _forbid(monkeypatch, "smoothed_joint_probabilities")
    up_to_d = returns.index <= returns.index[CUT]
    model = RegimeModel().fit(returns[up_to_d])
    # The patch is live: reading smoothed probabilities now fails...
    smoothed = _statsmodels_model(returns).smooth(model.params_.to_numpy())
    with pytest.raises(AssertionError, match="was read"):
        smoothed.smoothed_marginal_probabilities  # noqa: B018
    # ...and the module still runs end to end.
    model.filtered_probabilities(returns)
    walk_forward_regime_probabilities(returns, _refit_dates(returns), RegimeModel())

    # Unpatched, smoothed probabilities at D do move when the future changes: the no-future test
    # above would catch them.
    monkeypatch.undo()

    def smoothed_at_d(series: pd.Series) -> np.ndarray:
        result = _statsmodels_model(series).smooth(model.params_.to_numpy())
        return np.asarray(result.smoothed_marginal_probabilities)[CUT]

    assert np.abs(smoothed_at_d(returns) - smoothed_at_d(future_changed)).max() > 0.1


def test_dates_with_nan_returns_come_out_nan_not_guessed(returns):
    gaps = [100, 301, 400, 500, 700]  # 400 is a refit date with no return
    with_gaps = returns.copy()
    with_gaps.iloc[gaps] = np.nan
    missing = with_gaps.isna().to_numpy()
    model = RegimeModel().fit(with_gaps)

    probabilities = model.filtered_probabilities(with_gaps)
    assert probabilities.index.equals(with_gaps.index)
    assert probabilities[missing].isna().all().all() and probabilities[~missing].notna().all().all()
    # Missing days are skipped by the filter, not filled: the same as leaving them out.
    assert np.allclose(probabilities[~missing], model.filtered_probabilities(with_gaps.dropna()))

    walk = walk_forward_regime_probabilities(with_gaps, _refit_dates(returns), RegimeModel())
    assert walk[missing].isna().all().all() and walk[~missing].notna().all().all()
    # The refit at a day without a return fitted up to the day before.
    assert walk.loc[returns.index[401], FITTED_UNTIL_COLUMN] == returns.index[399]

    volatility = garch_next_day_volatility(with_gaps, _refit_dates(returns))
    assert volatility[missing].isna().all() and volatility[~missing].notna().all()


def test_too_short_history_raises_and_leaves_walk_forward_segments_nan(returns):
    with pytest.raises(ValueError, match="needs 250 returns, got 100"):
        RegimeModel().fit(returns.iloc[:100])
    gappy = returns.iloc[:260].copy()
    gappy.iloc[:20] = np.nan
    with pytest.raises(ValueError, match="needs 250 returns, got 240"):
        RegimeModel().fit(gappy)

    refits = [returns.index[100].date(), returns.index[CUT].date()]
    walk = walk_forward_regime_probabilities(returns, refits, RegimeModel())
    first_segment = returns.index <= returns.index[CUT]
    assert walk[first_segment].isna().all().all()
    assert walk[~first_segment].notna().all().all()
    assert garch_next_day_volatility(returns, refits)[first_segment].isna().all()


def test_same_random_state_gives_identical_output(returns):
    def run() -> tuple[pd.Series, pd.DataFrame]:
        model = RegimeModel(search_reps=5, random_state=7)
        walk = walk_forward_regime_probabilities(returns, _refit_dates(returns)[-1:], model)
        return model.fit(returns).params_, walk

    (params_a, walk_a), (params_b, walk_b) = run(), run()
    pd.testing.assert_series_equal(params_a, params_b, check_exact=True)
    pd.testing.assert_frame_equal(walk_a, walk_b, check_exact=True)


def test_a_fit_that_does_not_converge_is_retried_with_a_search(monkeypatch, returns):
    real_fit, calls = MarkovRegression.fit, []

    def first_fit_does_not_converge(self, *args, **kwargs):
        calls.append(kwargs)
        result = real_fit(self, *args, **kwargs)
        if len(calls) == 1:
            result.mle_retvals["converged"] = False
        return result

    monkeypatch.setattr(MarkovRegression, "fit", first_fit_does_not_converge)
    model = RegimeModel().fit(returns)
    assert len(calls) == 2 and calls[1]["search_reps"] >= 20
    assert model.converged_


def test_a_failed_fit_gives_nan_and_does_not_stop_a_backtest(monkeypatch, returns):
    def fails(self, *args, **kwargs):
        raise np.linalg.LinAlgError("Singular matrix")

    monkeypatch.setattr(MarkovRegression, "fit", fails)
    model = RegimeModel().fit(returns)
    assert not model.converged_ and model.params_.isna().all()
    assert model.filtered_probabilities(returns).isna().all().all()
    walk = walk_forward_regime_probabilities(returns, _refit_dates(returns), RegimeModel())
    assert walk[regime_columns(2)].isna().all().all()


def test_an_extreme_day_does_not_blank_the_rest_of_the_series(returns):
    # 60 standard deviations of the calm fit's widest regime: statsmodels' filter alone gives NaN from
    # there on.
    model = RegimeModel().fit(returns.iloc[:CALM])
    crash = returns.copy()
    crash.iloc[CALM + 5] = -0.5
    probabilities = model.filtered_probabilities(crash)
    assert probabilities.notna().all().all()
    assert probabilities[HIGH_VOL_COLUMN].iloc[CALM + 5] > 0.999
    assert np.allclose(probabilities.iloc[: CALM + 5], model.filtered_probabilities(returns).iloc[: CALM + 5])


def test_garch_volatility_is_known_at_the_close_and_uses_no_later_day(returns):
    # D is inside the volatile stretch, so the fit at 500 has found volatility clustering to use.
    cut, refits = 520, [returns.index[300].date(), returns.index[500].date()]
    up_to_d = returns.index <= returns.index[cut]
    changed = returns.copy()
    changed.iloc[cut + 1 :] *= 5
    volatility = garch_next_day_volatility(returns, refits)
    changed_volatility = garch_next_day_volatility(changed, refits)
    assert np.allclose(volatility[up_to_d], changed_volatility[up_to_d], rtol=0, atol=1e-12)
    assert not np.allclose(volatility[~up_to_d], changed_volatility[~up_to_d])

    # Day t's own return is in the forecast made at t (for t + 1), not in the one made the day before.
    day = 700
    shocked = returns.copy()
    shocked.iloc[day] = 0.05
    shocked_volatility = garch_next_day_volatility(shocked, refits)
    assert shocked_volatility.iloc[day - 1] == pytest.approx(volatility.iloc[day - 1], abs=1e-12)
    assert shocked_volatility.iloc[day] > volatility.iloc[day] * 1.05
    # Parameters fitted into the volatile stretch track it.
    assert volatility.iloc[560:600].mean() > 2 * volatility.iloc[700:].mean()
