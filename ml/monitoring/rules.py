"""Alert rules: each turns one monitoring result into the day's alerts (ml.monitoring.alerts)."""

from __future__ import annotations

import pandas as pd

from ml.monitoring.alerts import Alert
from ml.monitoring.drift_detector import FIRM


def drift_alerts(results: pd.DataFrame) -> list[Alert]:
    """One warning per flagged scope × column."""
    alerts = []
    for row in results[results["flagged"]].itertuples(index=False):
        subject = FIRM if row.scope == FIRM else row.trader_id
        alerts.append(
            Alert(
                "drift",
                "warning",
                subject,
                row.column,
                f"{row.column} ({row.column_kind}) has drifted: median {row.reference_median:.4g} in the "
                f"reference, {row.current_median:.4g} in the last {row.n_current} days (p {row.p_value:.1e}, "
                "false discovery rate controlled)",
                {"psi": row.psi, "ks": row.ks, "p_value": row.p_value},
            )
        )
    return alerts


def risk_limit_alerts(predictions: pd.DataFrame, limit: float) -> list[Alert]:
    """A critical alert for every trader whose risk score is at or above the configured limit."""
    over = predictions[predictions["risk_score"] >= limit]
    return [
        Alert(
            "risk_limit",
            "critical",
            row.trader_id,
            "risk_score",
            f"risk score {row.risk_score:.0f} for {row.target_date:%Y-%m-%d} is at or above the limit "
            f"{limit:.0f} (P(large loss) {row.p_large_loss:.0%}; "
            f"recommended size ×{row.recommended_size:.2f})",
            {"risk_score": row.risk_score, "p_large_loss": row.p_large_loss},
        )
        for row in over.itertuples(index=False)
    ]


def missing_prediction_alerts(recently_active: set[str], predicted: set[str]) -> list[Alert]:
    """A warning for every trader who traded recently but has no prediction today."""
    return [
        Alert(
            "missing_data",
            "warning",
            trader,
            "prediction",
            "traded in the last days but has no prediction today: check its data and the data checks",
        )
        for trader in sorted(recently_active - predicted)
    ]


def no_predictions_alert(as_of) -> Alert:
    """The day has no live predictions at all: the predict step did not run (one alert, not one
    per trader)."""
    return Alert(
        "failed_step",
        "critical",
        "firm",
        "predict",
        f"no live predictions at the close of {as_of:%Y-%m-%d}: "
        f"run `riskman predict --as-of {as_of:%Y-%m-%d}`",
    )
