"""The viewer's Plotly figures, built from the data module's frames (pages only place them)."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

# Days of realised outcomes a predicted probability is compared with (a trading month).
REALISED_WINDOW_DAYS = 20


def _layout(figure: go.Figure, y_title: str) -> go.Figure:
    figure.update_layout(margin={"l": 10, "r": 10, "t": 30, "b": 10}, yaxis_title=y_title, legend_title=None)
    return figure


def desk_equity(equity: pd.DataFrame) -> go.Figure:
    """Cumulative net P&L per desk, and the firm's (the desks summed)."""
    firm = equity.groupby("trade_date", as_index=False)["net_pnl"].sum()
    firm = firm.assign(desk="firm", cumulative_net_pnl=firm["net_pnl"].cumsum())
    lines = pd.concat([equity[["desk", "trade_date", "cumulative_net_pnl"]], firm], ignore_index=True)
    figure = px.line(lines, x="trade_date", y="cumulative_net_pnl", color="desk")
    return _layout(figure, "cumulative net P&L (USD)")


def trader_equity(days: pd.DataFrame) -> go.Figure:
    figure = px.line(days, x="trade_date", y="cumulative_net_pnl")
    breaches = days[days["is_loss_limit_breach"]]
    figure.add_scatter(
        x=breaches["trade_date"], y=breaches["cumulative_net_pnl"], mode="markers",
        name="loss limit breached", marker={"color": "crimson", "size": 8},
    )  # fmt: skip
    return _layout(figure, "cumulative net P&L (USD)")


def predicted_vs_realised_loss(predictions: pd.DataFrame) -> go.Figure:
    """Predicted P(loss) against the realised share of losing days over the last 20 predicted
    days that had an outcome."""
    realised = predictions.dropna(subset=["realised_is_loss"]).copy()
    realised["realised_loss_rate"] = (
        realised["realised_is_loss"].astype(float).rolling(REALISED_WINDOW_DAYS, min_periods=5).mean()
    )
    figure = go.Figure()
    for kind, rows in predictions.groupby("kind"):
        mode = "markers" if kind == "live" else "lines"
        figure.add_scatter(x=rows["target_date"], y=rows["p_loss"], name=f"P(loss), {kind}", mode=mode)
    figure.add_scatter(
        x=realised["target_date"], y=realised["realised_loss_rate"],
        name=f"realised loss rate ({REALISED_WINDOW_DAYS} days)", mode="lines",
    )  # fmt: skip
    return _layout(figure, "probability")


def predicted_tail_vs_pnl(predictions: pd.DataFrame) -> go.Figure:
    """Realised net P&L against the predicted 5% tail: a day below the line is a tail breach."""
    figure = go.Figure()
    figure.add_bar(x=predictions["target_date"], y=predictions["realised_net_pnl"], name="realised net P&L")
    figure.add_scatter(x=predictions["target_date"], y=predictions["var_95_usd"], name="predicted 5% tail")
    return _layout(figure, "USD")


def fills_by_time_of_day(buckets: pd.DataFrame) -> go.Figure:
    figure = px.bar(buckets, x="bucket_label", y="fills_count", hover_data=["shares_traded", "active_days"])
    return _layout(figure.update_xaxes(title="time of day (US/Eastern, 30-minute buckets)"), "fills")


def policy_equity(equity: pd.DataFrame) -> go.Figure:
    figure = px.line(equity, x="target_date", y="cumulative_pnl_usd", color="policy")
    return _layout(figure, "cumulative firm P&L (USD)")


def model_health(health: pd.DataFrame) -> go.Figure:
    """Realised AUC (labels known) and CBPE-estimated AUC per window, with the backtest's AUC."""
    long = health.melt(
        id_vars=["target", "window_end_date"], value_vars=["realised_auc", "estimated_auc", "reference_auc"],
        var_name="measure", value_name="auc",
    ).dropna(subset=["auc"])  # fmt: skip
    figure = px.line(long, x="window_end_date", y="auc", color="measure", facet_col="target", markers=True)
    return _layout(figure, "AUC")
