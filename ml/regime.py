"""Market regimes from S&P 500 daily returns: Markov-switching probabilities and GARCH volatility.

Every output for day t is known at the close of day t and uses nothing later:

- `RegimeModel` fits a Markov-switching model (statsmodels `MarkovRegression`: switching mean and
  variance) and reports the Hamilton *filtered* probabilities P(regime_t | returns up to t). The
  module never reads the smoothed probabilities P(regime_t | all returns), which use the future.
  (statsmodels' own estimator runs the smoother inside `fit`, on the training window only: that is
  estimation, not output.)
- `walk_forward_regime_probabilities` refits on an expanding window at given dates and filters the
  following days with the parameters of the latest refit.
- `garch_next_day_volatility` does the same for a GARCH(1,1) one-day-ahead volatility forecast.

Returns are scaled to percent inside (the optimisers are poorly conditioned on 1e-4 variances);
outputs are probabilities, or volatility in the units of the input returns.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator, Sequence
from datetime import date

import numpy as np
import pandas as pd
from arch import arch_model
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.regime_switching.markov_regression import MarkovRegression

logger = logging.getLogger(__name__)

PERCENT = 100.0
HIGH_VOL_COLUMN = "regime_p_high_vol"
FITTED_UNTIL_COLUMN = "regime_fitted_until"
GARCH_COLUMN = "garch_vol_next_day"
# statsmodels' default BFGS budget (100) is often too short for 3 regimes; the retry gets more
# iterations and random start-parameter search before the fit is given up as not converged.
FIRST_MAXITER = 100
RETRY_MAXITER = 500
RETRY_SEARCH_REPS = 20
# statsmodels' filter sums likelihoods as exp(log ...): a return some 38 standard deviations out in
# every regime underflows to 0 and makes that day and every later one NaN. The filter sees returns
# clipped to 20 standard deviations of the widest regime, where that regime already takes all the
# probability (and its likelihood, times the 1e-20 floor on transitions, is still far from 0).
FILTER_CLIP_SD = 20.0
# What a degenerate sample makes statsmodels raise (singular matrices, invalid values): a failed fit
# inside a backtest is recorded, not raised.
FIT_ERRORS = (np.linalg.LinAlgError, ValueError, FloatingPointError)


def regime_columns(n_regimes: int) -> list[str]:
    """The probability columns, low to high variance, then the high-volatility one."""
    return [f"regime_p_{i}" for i in range(n_regimes)] + [HIGH_VOL_COLUMN]


def _clean_returns(returns: pd.Series) -> pd.Series:
    """The finite returns, as floats, in date order. Missing days are dropped, never filled."""
    if not isinstance(returns, pd.Series):
        raise TypeError(f"returns must be a pandas Series indexed by date, got {type(returns).__name__}")
    if returns.index.has_duplicates:
        raise ValueError("returns has duplicate dates")
    values = returns.astype(float)
    return values[np.isfinite(values.to_numpy())].sort_index()


def _timestamps(index: pd.Index) -> pd.DatetimeIndex:
    # The index may hold datetime.date (from DuckDB) or Timestamps: compare them all as Timestamps.
    return pd.DatetimeIndex(pd.to_datetime(index))


class RegimeModel(BaseEstimator):
    """Markov-switching model of daily returns (switching mean and variance), filtered probabilities.

    Parameters
    ----------
    n_regimes : number of regimes (2: calm / volatile).
    min_history_days : fewest non-missing returns `fit` accepts.
    search_reps : random start-parameter draws for the first fit (statsmodels `search_reps`).
    random_state : seed for those draws (and for the retry's).

    Attributes (after `fit`)
    ------------------------
    params_ : fitted parameters by statsmodels name, returns in percent (all NaN if the fit failed).
    regime_order_ : statsmodels' regime numbers sorted by fitted variance, low to high.
    n_obs_ : number of returns fitted.
    fitted_until_ : date of the last return fitted.
    converged_ : whether the optimiser reported convergence with finite parameters.

    A fit that does not converge is retried with more iterations and `RETRY_SEARCH_REPS` random
    starts. If that fails too, `converged_` is False and the best finite parameters found are kept
    (still valid filtered probabilities, under parameters that may not be the maximum); with no finite
    parameters at all, `filtered_probabilities` returns NaN. Either way nothing is raised, so one bad
    window does not stop a backtest; a warning is logged.
    """

    def __init__(
        self,
        n_regimes: int = 2,
        min_history_days: int = 250,
        search_reps: int = 0,
        random_state: int = 0,
    ) -> None:
        self.n_regimes = n_regimes
        self.min_history_days = min_history_days
        self.search_reps = search_reps
        self.random_state = random_state

    def _markov_model(self, percent_returns: np.ndarray) -> MarkovRegression:
        # A plain array, not the Series: statsmodels warns about date indexes without a frequency,
        # and trading days have none.
        return MarkovRegression(percent_returns, k_regimes=self.n_regimes, trend="c", switching_variance=True)

    def fit(self, returns: pd.Series) -> RegimeModel:
        """Fit on all non-missing `returns` (index dates, values daily returns in decimal)."""
        if self.n_regimes < 2:
            raise ValueError(f"n_regimes must be at least 2, got {self.n_regimes}")
        clean = _clean_returns(returns)
        if len(clean) == 0 or len(clean) < self.min_history_days:
            raise ValueError(f"RegimeModel needs {self.min_history_days} returns, got {len(clean)}")
        model = self._markov_model(clean.to_numpy() * PERCENT)
        attempts = [
            (self.search_reps, FIRST_MAXITER),
            (max(self.search_reps, RETRY_SEARCH_REPS), RETRY_MAXITER),
        ]
        best_params, best_llf, converged = None, -np.inf, False
        for search_reps, maxiter in attempts:
            try:
                with warnings.catch_warnings():
                    # Convergence is read from mle_retvals below and acted on, not just printed.
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    result = model.fit(
                        search_reps=search_reps,
                        rng=self.random_state,
                        maxiter=maxiter,
                        cov_type="none",
                        disp=False,
                    )
            except FIT_ERRORS as error:
                logger.warning("regime fit failed: %s", error)
                continue
            params, llf = np.asarray(result.params, dtype=float), float(result.llf)
            if not (np.isfinite(params).all() and np.isfinite(llf)):
                continue
            if llf > best_llf:
                best_params, best_llf = params, llf
            if result.mle_retvals.get("converged", False):
                converged = True
                break
        if not converged:
            logger.warning(
                "regime fit until %s did not converge (%s)",
                clean.index[-1],
                "best finite parameters kept" if best_params is not None else "no finite parameters",
            )
        if best_params is None:
            best_params = np.full(len(model.param_names), np.nan)
        self.params_ = pd.Series(best_params, index=model.param_names, name="params")
        variances = best_params[model.parameters["variance"]]
        # Regime numbers are arbitrary (they swap between refits): order them by variance.
        self.regime_order_ = (
            np.argsort(variances, kind="stable")
            if np.isfinite(variances).all()
            else np.arange(self.n_regimes)
        )
        self.converged_ = converged
        self.n_obs_ = len(clean)
        self.fitted_until_ = clean.index[-1]
        return self

    def filtered_probabilities(self, returns: pd.Series) -> pd.DataFrame:
        """P(regime_t | returns up to t) under the fitted parameters, for each date of `returns`.

        `returns` may run past `fitted_until_`: the parameters stay fixed and the filter runs on. Columns
        `regime_p_0 ...` are ordered low to high variance; `regime_p_high_vol` is the highest. Dates
        whose return is missing are NaN (the filter skips them; nothing is filled in). The filter
        starts from the chain's steady state at the first return given, so pass the same start date
        for comparable numbers.
        """
        check_is_fitted(self, "params_")
        clean = _clean_returns(returns)
        columns = regime_columns(self.n_regimes)
        probabilities = pd.DataFrame(np.nan, index=clean.index, columns=columns)
        params = self.params_.to_numpy()
        if len(clean) and np.isfinite(params).all():
            widest = self.regime_order_[-1]
            mean = self.params_[f"const[{widest}]"]
            spread = FILTER_CLIP_SD * np.sqrt(self.params_[f"sigma2[{widest}]"])
            percent = np.clip(clean.to_numpy() * PERCENT, mean - spread, mean + spread)
            result = self._markov_model(percent).filter(params)
            filtered = np.asarray(result.filtered_marginal_probabilities)[:, self.regime_order_]
            if not np.isfinite(filtered).all():
                # Left as NaN, not passed on as inf; should not happen once returns are clipped.
                logger.warning("regime filter gave non-finite probabilities (returns to %s)", clean.index[-1])
                filtered = np.where(np.isfinite(filtered), filtered, np.nan)
            probabilities[columns[:-1]] = filtered
            probabilities[HIGH_VOL_COLUMN] = filtered[:, -1]
        return probabilities.reindex(returns.index)


def _segments(
    stamps: pd.DatetimeIndex, refit_dates: Sequence[date]
) -> Iterator[tuple[pd.Timestamp, np.ndarray, np.ndarray, np.ndarray]]:
    """For each refit date r_i: (r_i, training mask <= r_i, history mask <= r_{i+1}, output mask).

    The output is (r_i, r_{i+1}]; the first also covers everything up to r_0 and the last runs to the
    end of the series.
    """
    refits = sorted({pd.Timestamp(d) for d in refit_dates})
    if not refits:
        raise ValueError("refit_dates is empty")
    everything = np.ones(len(stamps), dtype=bool)
    for i, refit in enumerate(refits):
        upto = stamps <= refits[i + 1] if i + 1 < len(refits) else everything
        output = upto if i == 0 else upto & (stamps > refit)
        yield refit, np.asarray(stamps <= refit), np.asarray(upto), np.asarray(output)


def walk_forward_regime_probabilities(
    returns: pd.Series, refit_dates: Sequence[date], model: RegimeModel
) -> pd.DataFrame:
    """Filtered regime probabilities, refitting a clone of `model` on returns up to each refit date.

    Days in (r_i, r_{i+1}] are filtered with the parameters fitted on returns <= r_i; the last refit
    covers the rest of the series. Days up to the first refit date r_0 use r_0's parameters: those are
    in-sample parameters (the filter itself is still causal), acceptable because those days are the
    initial training window, not the backtest. `regime_fitted_until` is the last return date the
    parameters saw. Missing returns are NaN rows; a refit with fewer than `model.min_history_days`
    returns leaves its days NaN.
    """
    clean = _clean_returns(returns)
    stamps = _timestamps(clean.index)
    pieces = []
    for _refit, train, upto, output in _segments(stamps, refit_dates):
        if train.sum() < model.min_history_days or not output.any():
            continue
        fitted = clone(model).fit(clean[train])
        # Filtering stops at the segment's end: later returns are not even handed to the filter.
        probabilities = fitted.filtered_probabilities(clean[upto])
        piece = probabilities[output[upto]].copy()
        piece[FITTED_UNTIL_COLUMN] = pd.Timestamp(fitted.fitted_until_)
        pieces.append(piece)
    columns = [*regime_columns(model.n_regimes), FITTED_UNTIL_COLUMN]
    frame = pd.concat(pieces) if pieces else pd.DataFrame(np.nan, index=clean.index[:0], columns=columns)
    frame[FITTED_UNTIL_COLUMN] = pd.to_datetime(frame[FITTED_UNTIL_COLUMN])
    return frame[columns].reindex(returns.index)


def garch_next_day_volatility(
    returns: pd.Series, refit_dates: Sequence[date], min_history_days: int = 250
) -> pd.Series:
    """GARCH(1,1) forecast made at the close of day t of the volatility of the next day's return.

    Fitted (constant mean, normal errors) on returns <= each refit date, then run forward with fixed
    parameters over (r_i, r_{i+1}], segments as in `walk_forward_regime_probabilities` (days up to r_0
    use r_0's in-sample parameters). In the units of `returns`; NaN on missing days and for refits
    with fewer than `min_history_days` returns. "Next day" is the next day with a return.
    """
    clean = _clean_returns(returns)
    stamps = _timestamps(clean.index)
    forecast = pd.Series(np.nan, index=clean.index, name=GARCH_COLUMN)
    for refit, train, upto, output in _segments(stamps, refit_dates):
        n_train = int(train.sum())
        if n_train < min_history_days or not output.any():
            continue
        # Only returns up to the segment's end; the fit itself uses the first n_train of them. (arch's
        # forecast bounds the variance by very loose limits from all returns it is given, 1e-8 times
        # their variance to 1e7 times their largest square: never binding on daily returns, and not
        # even given returns past the segment.)
        history = clean[upto].to_numpy() * PERCENT
        garch = arch_model(history, mean="Constant", vol="GARCH", p=1, q=1, dist="normal", rescale=False)
        result = garch.fit(last_obs=n_train, disp="off", show_warning=False)
        if not np.isfinite(result.params.to_numpy()).all():
            logger.warning("GARCH fit until %s gave non-finite parameters", refit.date())
            continue
        if result.convergence_flag != 0:
            logger.warning("GARCH fit until %s did not converge; parameters kept", refit.date())
        start = int(np.argmax(output[upto]))
        # Row t of a one-step forecast is sigma^2_{t+1} from returns up to and including t.
        variance = result.forecast(horizon=1, start=start, reindex=False).variance["h.1"].to_numpy()
        forecast[output] = np.sqrt(variance) / PERCENT
    return forecast.reindex(returns.index)
