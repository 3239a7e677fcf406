"""Data quality: the latest data checks, rejected files and quarantined rows, fills-vs-totals
reconciliation breaks, and predictions a critical check stopped."""

import streamlit as st

from app import data, ui

snap = ui.current_snapshot()
st.title("Data quality")

results = data.check_results(snap)
st.subheader("Latest data checks")
if results.empty:
    st.info("No data checks have run: `riskman build` runs them.")
else:
    failed = results[~results["success"]]
    passed, critical, warning = st.columns(3)
    passed.metric("Expectations passed", f"{int(results['success'].sum())} of {len(results)}")
    critical.metric("Critical failures", int((failed["severity"] == "critical").sum()))
    warning.metric("Warnings", int((failed["severity"] == "warning").sum()))
    ui.table(failed, "Every expectation passed.")
    with st.expander("Every expectation"):
        ui.table(results, "")
    with st.expander("Check runs"):
        ui.table(data.check_runs(snap), "")

st.subheader("Rejected files and quarantined rows")
ui.table(data.rejected_files(snap), "Every file loaded whole.")
ui.table(data.quarantine(snap), "No quarantined rows.")

st.subheader("Reconciliation breaks (fills against the daily totals)")
ui.table(data.reconciliation_breaks(snap), "Fills and totals reconcile on every account-day.")

st.subheader("Predictions stopped by a critical check")
ui.table(data.blocked_predictions(snap), "No prediction was stopped.")
