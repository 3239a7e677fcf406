"""Backtest and policy comparison: the sizing policies against doing nothing and the simple rules,
net of costs, and the models' out-of-sample scores beside the baselines."""

import streamlit as st

from app import charts, data, ui

snap = ui.current_snapshot()
st.title("Backtest and policies")

st.subheader("Sizing policies (latest policy backtest)")
ui.table(data.policy_comparison(snap), "No policy backtest yet: run `riskman backtest`.")
equity = data.policy_equity(snap)
if not equity.empty:
    st.plotly_chart(charts.policy_equity(equity), width="stretch")

st.subheader("Model scores, out of sample (latest backtest, pooled over folds)")
ui.table(data.model_scores(snap), "No model backtest yet: run `riskman backtest`.")
