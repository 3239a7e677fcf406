"""Audit trail: the chain behind a live prediction (model, inputs and their hash, data loads,
outcome, decisions), rescored from the stored artifact; record a decision with a reason."""

import pandas as pd
import streamlit as st

from app import data, ui
from ml.monitoring.overrides import ACTIONS, InvalidOverride, Override

snap = ui.current_snapshot()
st.title("Audit trail")

risk = data.risk_table(snap)
if risk.empty:
    st.info("No live predictions to audit yet.")
    st.stop()
trader_id = st.selectbox("Trader", risk["trader_id"].tolist(), key="audit_trader")
target_date = f"{risk.loc[risk['trader_id'] == trader_id, 'target_date'].iloc[0]:%Y-%m-%d}"
queued = data.queued_overrides(snap)

st.subheader(f"Chain of {trader_id}'s prediction for {target_date}")
st.code("\n".join(data.audit_lines(snap, trader_id, target_date, len(queued))), language=None)

st.subheader("Record a decision")
if recorded := st.session_state.pop("recorded", None):  # set by the submission that reran the page
    st.success(recorded)
with st.form("decision", clear_on_submit=True):
    action = st.selectbox("Action", ACTIONS)
    size = st.number_input("Size (override_size only)", min_value=0.0, max_value=1.0, value=0.5, step=0.05)
    reason = st.text_input("Reason")
    recorded_by = st.text_input("Recorded by")
    if st.form_submit_button("Record"):
        decision = Override(
            trader_id, pd.Timestamp(target_date), action, reason, recorded_by,
            size if action == "override_size" else None,
        )  # fmt: skip
        try:
            override_id = data.submit_override(snap, decision)
        except InvalidOverride as exc:
            st.error(str(exc))
        else:
            # Rerun, so that the chain above shows the decision at once.
            st.session_state["recorded"] = (
                f"Recorded {override_id}: it joins the warehouse at its next write."
            )
            st.rerun()

st.subheader("Decisions")
ui.table(data.queued_overrides(snap), "No decision is waiting for the warehouse.")
ui.table(data.recorded_overrides(snap), "No decision recorded in the warehouse yet.")
