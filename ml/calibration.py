"""Probability calibration on the validation window: isotonic, sigmoid (Platt) or none, whichever
has the lower log loss out of sample inside that window.

Choosing on the same rows a calibrator was fitted on would always pick isotonic (it can fit any
monotone curve), so the choice is made by two-fold cross-fitting over the window's dates (first
half fits, second half scores, and the reverse); the winner is then refitted on the whole window.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

METHODS = ("isotonic", "sigmoid", "none")
EPS = 1e-6


def clipped_log_loss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p, EPS, 1 - EPS)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, EPS, 1 - EPS)
    return np.log(p / (1 - p)).reshape(-1, 1)


class ProbabilityCalibrator:
    """Maps raw scores in (0, 1) to calibrated probabilities.

    `methods` are the candidates; `method_` is the chosen one and `cv_log_loss_` the cross-fitted
    log loss of every candidate.
    """

    def __init__(self, methods: tuple[str, ...] = METHODS, min_rows: int = 40) -> None:
        self.methods = methods
        self.min_rows = min_rows

    def fit(self, raw: np.ndarray, y: np.ndarray, order: np.ndarray | None = None) -> ProbabilityCalibrator:
        """`order` (e.g. the rows' dates) splits the window into an earlier and a later half."""
        raw, y = np.asarray(raw, dtype=float), np.asarray(y, dtype=float)
        self.cv_log_loss_ = self._cross_fitted_losses(raw, y, order)
        self.method_ = min(self.cv_log_loss_, key=self.cv_log_loss_.get)
        self.mapping_ = _fit_mapping(self.method_, raw, y)
        return self

    def transform(self, raw: np.ndarray) -> np.ndarray:
        return _apply_mapping(self.method_, self.mapping_, np.asarray(raw, dtype=float))

    def to_dict(self) -> dict:
        return {"method": self.method_, "mapping": self.mapping_, "cv_log_loss": self.cv_log_loss_}

    @classmethod
    def from_dict(cls, stored: dict) -> ProbabilityCalibrator:
        calibrator = cls()
        calibrator.method_, calibrator.mapping_ = stored["method"], stored["mapping"]
        calibrator.cv_log_loss_ = stored.get("cv_log_loss", {})
        return calibrator

    def _cross_fitted_losses(self, raw: np.ndarray, y: np.ndarray, order: np.ndarray | None) -> dict:
        both_classes = len(np.unique(y)) == 2
        if len(y) < self.min_rows or not both_classes:
            return {"none": clipped_log_loss(y, raw)}  # too little to learn a curve from
        ranks = np.argsort(np.argsort(order if order is not None else np.arange(len(y)), kind="stable"))
        first = ranks < len(y) // 2
        losses = {}
        for method in self.methods:
            total = 0.0
            for fit_part in (first, ~first):
                if len(np.unique(y[fit_part])) < 2:
                    total = np.inf
                    break
                mapping = _fit_mapping(method, raw[fit_part], y[fit_part])
                scored = _apply_mapping(method, mapping, raw[~fit_part])
                total += clipped_log_loss(y[~fit_part], scored) * (~fit_part).sum()
            losses[method] = total / len(y)
        return losses


def _fit_mapping(method: str, raw: np.ndarray, y: np.ndarray) -> dict:
    """The fitted curve as plain numbers, so it is stored as JSON and never pickled."""
    if method == "isotonic":
        curve = IsotonicRegression(y_min=EPS, y_max=1 - EPS, out_of_bounds="clip").fit(raw, y)
        return {"x": curve.X_thresholds_.tolist(), "y": curve.y_thresholds_.tolist()}
    if method == "sigmoid":
        platt = LogisticRegression(C=1e6).fit(_logit(raw), y.astype(int))
        return {"coef": float(platt.coef_[0, 0]), "intercept": float(platt.intercept_[0])}
    return {}


def _apply_mapping(method: str, mapping: dict, raw: np.ndarray) -> np.ndarray:
    if method == "isotonic":  # what IsotonicRegression.predict does: interpolate, clip at the ends
        return np.clip(np.interp(raw, mapping["x"], mapping["y"]), EPS, 1 - EPS)
    if method == "sigmoid":
        return expit(mapping["coef"] * _logit(raw)[:, 0] + mapping["intercept"])
    return np.clip(raw, EPS, 1 - EPS)
