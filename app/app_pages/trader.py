"""Trader drill-down: today's prediction and why, P&L history, predicted against realised risk
over time, fills by time of day."""

import streamlit as st

from app import charts, data, ui

snap = ui.current_snapshot()
st.title("Trader drill-down")

roster = data.traders(snap)
if roster.empty:
    st.info("No traders in the warehouse yet.")
    st.stop()
names = roster["trader_id"] + " · " + roster["trader_name"].fillna("")
labels = dict(zip(roster["trader_id"], names, strict=True))
trader_id = st.selectbox("Trader", list(labels), format_func=labels.get, key="trader")

live = data.live_prediction(snap, trader_id)
if live.empty:
    st.info("No live prediction for this trader.")
else:
    row = live.iloc[0]
    st.subheader(f"Next day: {row['target_date']:%Y-%m-%d}")
    risk, loss, large, tail, size = st.columns(5)
    risk.metric("Risk", f"{row['risk_score']:.0f}/100")
    loss.metric("P(loss)", f"{row['p_loss']:.0%}")
    large.metric("P(large loss)", f"{row['p_large_loss']:.0%}")
    tail.metric("5% tail", ui.usd(row["var_95_usd"]))
    size.metric("Size", f"×{row['recommended_size']:.2f}")
    st.markdown(f"**Why:** {row['top_reasons']}")

st.subheader("P&L history")
st.plotly_chart(charts.trader_equity(data.trader_days(snap, trader_id)), width="stretch")

predictions = data.trader_predictions(snap, trader_id)
st.subheader("Predicted against realised")
if predictions.empty:
    st.info("No backtest or live predictions for this trader.")
else:
    st.plotly_chart(charts.predicted_vs_realised_loss(predictions), width="stretch")
    st.plotly_chart(charts.predicted_tail_vs_pnl(predictions), width="stretch")

st.subheader("Fills by time of day")
buckets = data.fills_by_time_of_day(snap, trader_id)
if buckets.empty:
    st.info("No fills for this trader.")
else:
    st.plotly_chart(charts.fills_by_time_of_day(buckets), width="stretch")
