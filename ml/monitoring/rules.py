"""Alert rules: each turns one monitoring result into the day's alerts (ml.monitoring.alerts)."""

from __future__ import annotations

from collections.abc import Mapping

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


def degraded_performance_alerts(health: pd.DataFrame) -> list[Alert]:
    """A warning per target whose newest window is degraded (health_monitor): the window of the
    version predicting now, not a retired version's history."""
    if health.empty:
        return []
    newest = health[health["window_end"] == health.groupby("target")["window_end"].transform("max")]
    alerts = []
    for row in newest[newest["degraded"]].itertuples(index=False):
        judged = (
            f"realised AUC {row.realised_auc:.3f} on {row.labelled_rows} labelled rows"
            if row.labelled_rows and pd.notna(row.realised_auc)
            else f"estimated AUC {row.estimated_auc:.3f} before labels (CBPE)"
        )
        alerts.append(
            Alert(
                "degraded_performance",
                "warning",
                FIRM,
                f"{row.target}",
                f"{row.model_version} on {row.target}, {_span(row)}: {judged}, "
                f"below the backtest's {row.reference_auc:.3f} beyond noise",
                {
                    "model_version": row.model_version,
                    "realised_auc": row.realised_auc,
                    "estimated_auc": row.estimated_auc,
                    "reference_auc": row.reference_auc,
                },
            )  # fmt: skip
        )
    return alerts


def _span(row) -> str:
    return f"{row.window_start:%Y-%m-%d}..{row.window_end:%Y-%m-%d}"


def data_check_alerts(blocked: Mapping[str, str], check_run_id: str | None) -> list[Alert]:
    """A critical alert per trader (or the firm) whose predictions a critical data check stopped."""
    return [
        Alert(
            "data_check",
            "critical",
            subject,
            why.removeprefix("critical data check failed: ").replace(" ", ":"),
            f"{why}; predictions stopped for {'every trader' if subject == FIRM else subject} "
            f"(check run {check_run_id})",
        )
        for subject, why in sorted(blocked.items())
    ]
