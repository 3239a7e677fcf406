"""Plain-text tables of the models' and policies' results for the terminal (`riskman evaluate`,
`backtest`, `demo`)."""

from __future__ import annotations

import pandas as pd

from ml.evaluation import evaluate_predictions


def evaluation_tables(evaluation: pd.DataFrame) -> str:
    """One table per target: models as rows, metrics as columns (pooled out-of-sample scores)."""
    parts = []
    for target, rows in evaluation.groupby("target", sort=False):
        table = rows.pivot_table(index="model", columns="metric", values="value", aggfunc="first")
        if "auc" in table:
            table = table.sort_values("auc", ascending=False)
        parts.append(f"{target}\n{table.to_string(float_format=lambda v: f'{v:.4f}')}")
    return "\n\n".join(parts)


def evaluation_headline(oos: pd.DataFrame) -> str:
    """AUC/Brier/ECE of the ensemble, the main model and the best baseline, per target."""
    pooled = evaluate_predictions(oos, group_cols=("model",))
    lines = []
    for target in ("is_loss", "is_large_loss", "var_95"):
        rows = pooled[pooled["target"] == target]
        if rows.empty:
            continue
        table = rows.pivot_table(index="model", columns="metric", values="value", aggfunc="first")
        if "auc" in table:
            shown = table.sort_values("auc", ascending=False)["auc"].head(4)
            lines.append(
                f"  {target}: out-of-sample AUC " + ", ".join(f"{m} {v:.3f}" for m, v in shown.items())
            )
        elif "coverage" in table:
            lines.append(
                f"  {target}: share of days below the 5% tail "
                + ", ".join(f"{m} {v:.3f}" for m, v in table["coverage"].items())
            )
    return "\n".join(lines)


def riskiest_traders(predictions: pd.DataFrame, top: int) -> str:
    """The `top` traders by risk score with their numbers and reasons."""
    rows = predictions.sort_values(["risk_score", "p_large_loss"], ascending=False).head(top)
    lines = [f"riskiest {len(rows)} of {len(predictions)} traders for the next trading day:"]
    for row in rows.itertuples(index=False):
        lines.append(
            f"  {row.trader_id} ({row.account_id}): risk {row.risk_score:.0f}/100, "
            f"P(loss) {row.p_loss:.0%}, P(large loss) {row.p_large_loss:.0%}, "
            f"5% tail {_dollars(row.var_95_usd)}, size ×{row.recommended_size:.2f}"
        )
        lines.append(f"      why: {row.top_reasons}")
    return "\n".join(lines)


def _dollars(value: float) -> str:
    if pd.isna(value):
        return "unknown"
    return f"{'-' if value < 0 else ''}${abs(value):,.0f}"


TERMINAL_POLICY_COLUMNS = [
    "family",
    "total P&L $",
    "Sharpe",
    "max DD $",
    "max DD % cap",
    "mean size",
    "Sharpe vs none",
]


def policy_comparison(stored) -> str:
    """The policy backtest's comparison table and its verdict (a StoredPolicyRun)."""
    from ml.reports.backtest_page import column_formats, comparison_table

    table = comparison_table(stored)[TERMINAL_POLICY_COLUMNS]
    formats = column_formats()
    shown = table.copy()
    for column, spec in formats.items():
        if column in shown:
            shown[column] = [format(v, spec) if pd.notna(v) else "—" for v in table[column]]
    run = stored.run
    header = (
        f"policy backtest {run['run_id']}: {run['days']} days, {run['traders']} traders, "
        f"capital ${run['capital_usd']:,.0f}"
    )
    return f"{header}\n{shown.to_string()}\n{run['verdict']}"


def health_lines(health: pd.DataFrame | None) -> list[str]:
    """The newest window per target: realised (once labels are in) and estimated AUC against the
    backtest's."""
    if health is None or health.empty:
        return ["model health: no predictions in the lookback"]
    newest = health[health["window_end"] == health.groupby("target")["window_end"].transform("max")]
    lines = []
    for row in newest.itertuples(index=False):
        realised = (
            f"realised AUC {row.realised_auc:.3f} on {row.labelled_rows} labels"
            if pd.notna(row.realised_auc)
            else "no labels yet"
        )
        flag = "  DEGRADED" if row.degraded else ""
        lines.append(
            f"model health {row.target} ({row.model_version}, {row.window_start}..{row.window_end}): "
            f"{realised}, estimated {row.estimated_auc:.3f}, backtest {row.reference_auc:.3f}{flag}"
        )
    return lines
