"""Baseline rule scores on synthetic trader histories: point in time, idle days, and the classifier."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score

from ml.baselines import BASELINE_RULES, SCORE_COLUMNS, BaselineClassifier, baseline_scores, historical_var


def _history(seed: int = 0, n_days: int = 250, traders: tuple[str, ...] = ("a", "b")) -> pd.DataFrame:
    """Random trader-days: about 80% active, P&L 0 on idle days."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2024-01-01", periods=n_days)
    parts = []
    for trader in traders:
        active = rng.uniform(size=n_days) < 0.8
        pnl = np.where(active, rng.normal(10, 100, n_days), 0.0)
        parts.append(
            pd.DataFrame({"trader_id": trader, "as_of_date": dates, "is_active": active, "net_pnl": pnl})
        )
    return pd.concat(parts, ignore_index=True)


def _one_trader(pnl: list[float | None]) -> pd.DataFrame:
    """One trader's days from a P&L list where None marks an idle day."""
    return pd.DataFrame(
        {
            "trader_id": "a",
            "as_of_date": pd.bdate_range("2024-01-01", periods=len(pnl)),
            "is_active": [value is not None for value in pnl],
            "net_pnl": [0.0 if value is None else value for value in pnl],
        }
    )


def test_baseline_scores_keys_and_columns():
    days = _history()
    scores = baseline_scores(days.sample(frac=1.0, random_state=0))
    assert list(scores.columns) == ["trader_id", "as_of_date", *SCORE_COLUMNS]
    expected_keys = days.sort_values(["trader_id", "as_of_date"])[["trader_id", "as_of_date"]]
    pd.testing.assert_frame_equal(scores[["trader_id", "as_of_date"]], expected_keys.reset_index(drop=True))


def test_baseline_scores_use_no_future_rows():
    days = _history()
    cutoff = days["as_of_date"].sort_values().unique()[150]
    later = days["as_of_date"] > cutoff
    changed = days.copy()
    rng = np.random.default_rng(99)
    changed.loc[later, "is_active"] = rng.uniform(size=later.sum()) < 0.5
    changed.loc[later, "net_pnl"] = np.where(
        changed.loc[later, "is_active"], rng.normal(-500, 50, later.sum()), 0
    )
    before = baseline_scores(days).query("as_of_date <= @cutoff")
    after = baseline_scores(changed).query("as_of_date <= @cutoff")
    assert before[SCORE_COLUMNS].notna().any().all(), "the cutoff should come after every warm-up"
    pd.testing.assert_frame_equal(before, after)


def test_losing_streak_ignores_idle_days():
    scores = baseline_scores(_one_trader([None, -1.0, None, -2.0, None, -3.0, 1.0, None, -1.0]))
    assert scores["losing_streak"].tolist() == [0, 1, 1, 2, 2, 3, 0, 0, 1]


def test_drawdown_is_non_negative_and_zero_at_a_new_peak():
    days = _history(seed=3, traders=("a",))
    scores = baseline_scores(days)
    drawdown = scores["drawdown_vol_units"]
    assert (drawdown.dropna() >= 0).all()
    equity = days["net_pnl"].cumsum()
    at_new_peak = (equity >= equity.cummax()) & (equity > 0) & drawdown.notna()
    assert at_new_peak.sum() > 5
    assert (drawdown[at_new_peak] == 0).all()
    assert (drawdown[~at_new_peak & drawdown.notna()] > 0).all()


def test_drawdown_in_volatility_units():
    pnl = [10.0, -20.0, 5.0, None, 15.0, -30.0, 8.0, 12.0, -4.0, 6.0, None, -25.0]
    scores = baseline_scores(_one_trader(pnl))["drawdown_vol_units"]
    active = np.array([value for value in pnl if value is not None])
    # The last day: equity 7 against a peak of 10, scaled by the std of the 10 active days.
    assert scores.iloc[-1] == pytest.approx((10.0 - active.sum()) / active.std(ddof=1))
    assert scores.iloc[:-1].isna().all(), "NaN before 10 active days"


def test_a_trader_who_starts_by_losing_is_in_drawdown():
    scores = baseline_scores(_one_trader([-10.0] + [1.0] * 9))
    assert scores["drawdown_vol_units"].iloc[-1] > 0


def test_trailing_loss_rate_needs_five_active_days():
    # Four active days spread over many idle days are still too little history.
    scores = baseline_scores(_one_trader([-1.0, None, None, 2.0, None, -3.0, None, None, -4.0, None, 5.0]))
    rate = scores["trailing_loss_rate_20d"]
    assert rate.iloc[:10].isna().all()
    assert rate.iloc[10] == pytest.approx(3 / 5)


def test_trailing_loss_rate_counts_the_last_20_active_days():
    pnl = [-1.0] * 10 + [None] * 5 + [1.0] * 15
    rate = baseline_scores(_one_trader(pnl))["trailing_loss_rate_20d"]
    assert rate.iloc[-1] == pytest.approx(5 / 20)


def test_volatility_ratio_and_historical_var_windows():
    days = _history(seed=5, n_days=300, traders=("a",))
    scores = baseline_scores(days)
    active_pnl = days.loc[days["is_active"], "net_pnl"].to_numpy()
    last = scores.iloc[-1]
    ratio = active_pnl[-20:].std(ddof=1) / active_pnl[-60:].std(ddof=1)
    assert last["volatility_ratio_20d_60d"] == pytest.approx(ratio)
    assert last["var_95_historical"] == pytest.approx(np.quantile(active_pnl[-120:], 0.05))
    np.testing.assert_array_equal(historical_var(scores), scores["var_95_historical"].to_numpy())


def test_historical_var_needs_twenty_active_days():
    pnl = [float(i - 10) for i in range(19)] + [None, 5.0]
    var = baseline_scores(_one_trader(pnl))["var_95_historical"]
    assert var.iloc[:20].isna().all(), "19 active days, then an idle one"
    active = np.array([value for value in pnl if value is not None])
    assert var.iloc[20] == pytest.approx(np.quantile(active, 0.05))


def test_rules_name_score_columns():
    for name, (column, _direction) in BASELINE_RULES.items():
        assert column is None if name == "base_rate" else column in SCORE_COLUMNS


def test_base_rate_classifier_predicts_the_training_mean():
    scores = baseline_scores(_history())
    y = np.r_[np.ones(100), np.zeros(len(scores) - 100)]
    p = BaselineClassifier("base_rate").fit(scores, y).predict_proba(scores.iloc[:7])
    np.testing.assert_allclose(p, np.full(7, y.mean()))


def _streak_data(seed: int = 0, n: int = 2000) -> tuple[pd.DataFrame, np.ndarray]:
    """Scores where the chance of a loss rises with the losing streak."""
    rng = np.random.default_rng(seed)
    streak = rng.integers(0, 6, n).astype(float)
    y = (rng.uniform(size=n) < 0.3 + 0.1 * streak).astype(int)
    return pd.DataFrame({"losing_streak": streak}), y


def test_rule_classifier_ranks_in_the_rule_direction():
    scores, y = _streak_data()
    model = BaselineClassifier("losing_streak").fit(scores, y)
    grid = pd.DataFrame({"losing_streak": np.arange(6.0)})
    assert np.all(np.diff(model.predict_proba(grid)) > 0)
    assert model.follows_rule_
    # The probabilities rank rows exactly as the rule does.
    assert roc_auc_score(y, model.predict_proba(scores)) == pytest.approx(
        roc_auc_score(y, scores["losing_streak"])
    )


def test_rule_classifier_never_inverts_the_rule():
    scores, y = _streak_data()
    model = BaselineClassifier("losing_streak").fit(scores, 1 - y)
    assert not model.follows_rule_
    np.testing.assert_allclose(model.predict_proba(scores), np.full(len(y), (1 - y).mean()))


def test_rule_classifier_imputes_the_training_median():
    scores, y = _streak_data()
    model = BaselineClassifier("losing_streak").fit(scores, y)
    assert model.median_ == scores["losing_streak"].median()
    missing = pd.DataFrame({"losing_streak": [np.nan, model.median_]})
    p = model.predict_proba(missing)
    assert p[0] == pytest.approx(p[1])


def test_classifier_errors():
    scores, y = _streak_data()
    with pytest.raises(ValueError, match="unknown rule"):
        BaselineClassifier("astrology").fit(scores, y)
    with pytest.raises(ValueError, match="missing labels"):
        BaselineClassifier("losing_streak").fit(scores, np.where(np.arange(len(y)) == 0, np.nan, y))
    with pytest.raises(NotFittedError):
        BaselineClassifier("losing_streak").predict_proba(scores)
