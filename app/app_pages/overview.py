"""Firm overview: the morning's risk table (riskiest first, every column sortable), the open
alerts and the desks' equity."""

import streamlit as st

from app import charts, data, ui

snap = ui.current_snapshot()
st.title("Firm overview")

risk = data.risk_table(snap)
if risk.empty:
    st.info("No live predictions yet: run `riskman predict` or the daily flow.")
else:
    st.subheader(f"Risk for {risk['target_date'].max():%A %Y-%m-%d}")
    scored, cut = st.columns(2)
    scored.metric("Traders scored", len(risk))
    cut.metric("Recommended below full size", int((risk["recommended_size"] < 1).sum()))
    ui.table(
        risk,
        "",
        column_config={
            "risk_score": st.column_config.ProgressColumn("risk", min_value=0, max_value=100, format="%.0f"),
            "p_loss": st.column_config.NumberColumn("P(loss)", format="percent"),
            "p_large_loss": st.column_config.NumberColumn("P(large loss)", format="percent"),
            "var_95_usd": st.column_config.NumberColumn("5% tail (USD)", format="dollar"),
            "recommended_size": st.column_config.NumberColumn("size ×", format="%.2f"),
        },
    )

alerts = data.open_alerts(snap)
st.subheader(f"Open alerts ({len(alerts)})")
ui.table(alerts, "No open alerts.")

st.subheader("Desk equity")
equity = data.desk_equity(snap)
if equity.empty:
    st.info("No trading days in the warehouse yet.")
else:
    st.plotly_chart(charts.desk_equity(equity), width="stretch")
