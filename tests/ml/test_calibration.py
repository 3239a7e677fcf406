import numpy as np
import pytest

from ml.calibration import ProbabilityCalibrator, clipped_log_loss
from ml.evaluation import expected_calibration_error


def overconfident_scores(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """True probabilities in (0.05, 0.5); the raw scores push them away from 0.5 (overconfident)."""
    rng = np.random.default_rng(seed)
    true_p = rng.uniform(0.05, 0.5, n)
    y = (rng.uniform(size=n) < true_p).astype(float)
    logit = np.log(true_p / (1 - true_p))
    raw = 1 / (1 + np.exp(-(2.5 * logit + 1.0)))
    return raw, y


def test_calibration_lowers_held_out_calibration_error():
    raw_fit, y_fit = overconfident_scores(600, seed=1)
    raw_test, y_test = overconfident_scores(5000, seed=2)
    calibrator = ProbabilityCalibrator().fit(raw_fit, y_fit, order=np.arange(600))
    calibrated = calibrator.transform(raw_test)
    assert calibrator.method_ in ("isotonic", "sigmoid")
    assert expected_calibration_error(y_test, calibrated) < 0.5 * expected_calibration_error(y_test, raw_test)
    assert clipped_log_loss(y_test, calibrated) < clipped_log_loss(y_test, raw_test)


def test_the_method_is_chosen_out_of_sample_not_on_the_rows_it_was_fitted_on():
    # Already calibrated scores: a curve fitted and scored on the same rows would always win,
    # cross-fitting shows it does not beat leaving them alone by much.
    rng = np.random.default_rng(3)
    p = rng.uniform(0.05, 0.6, 800)
    y = (rng.uniform(size=800) < p).astype(float)
    calibrator = ProbabilityCalibrator().fit(p, y, order=np.arange(800))
    assert set(calibrator.cv_log_loss_) == {"isotonic", "sigmoid", "none"}
    in_sample_isotonic = ProbabilityCalibrator(methods=("isotonic",)).fit(p, y)
    in_sample_loss = clipped_log_loss(y, in_sample_isotonic.transform(p))
    assert calibrator.cv_log_loss_["isotonic"] > in_sample_loss


def test_too_few_rows_leave_the_scores_as_they_are():
    calibrator = ProbabilityCalibrator(min_rows=40).fit(np.array([0.2, 0.7, 0.4]), np.array([0.0, 1.0, 0.0]))
    assert calibrator.method_ == "none"
    assert calibrator.transform(np.array([0.3])) == pytest.approx([0.3])


def test_a_stored_calibrator_maps_scores_exactly_as_the_fitted_one():
    raw, y = overconfident_scores(600, seed=4)
    for method in ("isotonic", "sigmoid"):
        fitted = ProbabilityCalibrator(methods=(method,)).fit(raw, y)
        stored = ProbabilityCalibrator.from_dict(fitted.to_dict())
        assert np.array_equal(stored.transform(raw), fitted.transform(raw))
