import numpy as np

from ml.config import load_models_config
from ml.sizing import recommended_size, risk_score

SIZING = load_models_config()["sizing"]


def test_risk_score_and_size_move_with_the_large_loss_probability_within_their_bounds():
    p = np.linspace(0, 1, 101)
    score, size = risk_score(p, SIZING), recommended_size(p, SIZING)
    assert score.min() == 0 and score.max() == 100 and np.all(np.diff(score) >= 0)
    assert size.max() == 1 and size.min() == SIZING["min_size"] and np.all(np.diff(size) <= 0)


def test_low_risk_keeps_full_size_and_high_risk_gets_the_floor():
    low, high = SIZING["full_size_below_p_large_loss"], SIZING["min_size_at_p_large_loss"]
    assert recommended_size(np.array([low - 0.01, high + 0.01]), SIZING).tolist() == [1.0, SIZING["min_size"]]
