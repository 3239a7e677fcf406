"""Model health and drift: realised and estimated performance per model version, the latest drift
tests (flagged first) and feature-importance stability across retrains."""

import streamlit as st

from app import charts, data, ui

snap = ui.current_snapshot()
st.title("Model health and drift")

health = data.model_health(snap)
st.subheader("Model health (latest monitor run)")
if health.empty:
    st.info("No monitor run yet: run `riskman monitor` or the daily flow.")
else:
    degraded = health[health["degraded"].fillna(False)]
    st.metric("Windows degraded", f"{len(degraded)} of {len(health)}")
    st.plotly_chart(charts.model_health(health), width="stretch")
    ui.table(health, "")

drift = data.drift_tests(snap)
st.subheader("Drift (latest monitor run)")
if drift.empty:
    st.info("No drift tests yet.")
else:
    flagged = drift[drift["flagged"]]
    st.metric("Flagged (false discovery rate controlled)", f"{len(flagged)} of {len(drift)} tests")
    ui.table(flagged, "Nothing flagged.")
    with st.expander("Every test"):
        ui.table(drift, "")

st.subheader("Feature-importance stability across retrains")
ui.table(data.importance_stability(snap), "Fewer than two registered versions to compare.")
