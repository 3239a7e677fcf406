"""The reports' Plotly figures. Each takes stored frames and returns a go.Figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

LAYOUT = {"template": "plotly_white", "height": 420, "margin": {"l": 60, "r": 20, "t": 50, "b": 50}}


def _drawdown(cumulative: pd.Series) -> pd.Series:
    return cumulative - np.maximum(cumulative.cummax(), 0.0)


def equity_curves(firm_daily: pd.DataFrame, highlighted: set[str]) -> go.Figure:
    """Cumulative firm P&L per policy; the highlighted ones bold, the rest thin."""
    figure = go.Figure()
    for policy, rows in firm_daily.groupby("policy", sort=False):
        figure.add_scatter(
            x=rows["target_date"],
            y=rows["pnl_usd"].cumsum(),
            name=policy,
            mode="lines",
            line={"width": 3 if policy in highlighted else 1},
        )
    return figure.update_layout(title="Firm equity: cumulative P&L by policy (USD)", **LAYOUT)


def drawdowns(firm_daily: pd.DataFrame, highlighted: set[str]) -> go.Figure:
    figure = go.Figure()
    for policy, rows in firm_daily.groupby("policy", sort=False):
        figure.add_scatter(
            x=rows["target_date"],
            y=_drawdown(rows["pnl_usd"].cumsum()),
            name=policy,
            mode="lines",
            line={"width": 3 if policy in highlighted else 1},
        )
    return figure.update_layout(title="Firm drawdown from the running peak (USD)", **LAYOUT)


def trader_contribution(trader_totals: pd.DataFrame, policies: list[str]) -> go.Figure:
    """Per trader: how much each shown policy changed its P&L against doing nothing."""
    figure = go.Figure()
    for policy in policies:
        rows = trader_totals[trader_totals["policy"] == policy].sort_values("trader_id")
        figure.add_bar(x=rows["trader_id"], y=rows["pnl_usd"] - rows["unsized_pnl_usd"], name=policy)
    figure.update_layout(
        title="Per-trader contribution: P&L change against doing nothing (USD)", barmode="group", **LAYOUT
    )
    return figure


def calibration(predictions: pd.DataFrame, bins: int = 10) -> go.Figure:
    """Predicted probability (by decile of the prediction) against the realised rate."""
    figure = go.Figure()
    figure.add_scatter(
        x=[0, 1], y=[0, 1], mode="lines", name="perfect", line={"dash": "dot", "color": "grey"}
    )
    for probability, label in (("p_loss", "realised_is_loss"), ("p_large_loss", "realised_is_large_loss")):
        rows = predictions.dropna(subset=[probability, label])
        if rows.empty:
            continue
        groups = pd.qcut(rows[probability], q=bins, duplicates="drop")
        table = rows.groupby(groups, observed=True).agg(
            predicted=(probability, "mean"), realised=(label, "mean"), n=(label, "size")
        )
        figure.add_scatter(
            x=table["predicted"],
            y=table["realised"].astype(float),
            mode="lines+markers",
            name=probability,
            text=[f"{n} trader-days" for n in table["n"]],
        )
    figure.update_layout(
        title="Calibration: predicted probability vs realised rate (out of sample)",
        xaxis_title="predicted",
        yaxis_title="realised",
        **LAYOUT,
    )
    return figure


def risk_heat_map(predictions: pd.DataFrame) -> go.Figure:
    """Trader × day: the out-of-sample risk score (0–100) each morning."""
    wide = predictions.pivot_table(
        index="trader_id", columns="target_date", values="risk_score", aggfunc="first"
    )
    figure = go.Figure(
        go.Heatmap(
            z=wide.to_numpy(), x=list(wide.columns), y=list(wide.index), colorscale="Reds", zmin=0, zmax=100
        )
    )
    layout = {**LAYOUT, "height": max(420, 16 * len(wide) + 120)}
    return figure.update_layout(title="Risk score by trader and day (out of sample)", **layout)


def todays_risk(today: pd.DataFrame) -> go.Figure:
    """This morning's risk score per trader, riskiest first."""
    rows = today.sort_values("risk_score", ascending=False)
    figure = go.Figure(go.Bar(x=rows["trader_id"], y=rows["risk_score"], text=rows["recommended_size"]))
    figure.update_traces(texttemplate="×%{text:.2f}", textposition="outside")
    return figure.update_layout(
        title="Today's risk score (bar label: recommended size)", yaxis_range=[0, 110], **LAYOUT
    )
