"""The risk viewer (`riskman app`): routes to the pages in app/app_pages/. Every read goes through
app.data, over the published read-only copy of the warehouse."""

import streamlit as st

from app import data

PAGES = [
    st.Page("app_pages/overview.py", title="Firm overview", default=True),
    st.Page("app_pages/trader.py", title="Trader drill-down"),
    st.Page("app_pages/backtest.py", title="Backtest and policies"),
    st.Page("app_pages/health.py", title="Model health and drift"),
    st.Page("app_pages/quality.py", title="Data quality"),
    st.Page("app_pages/audit.py", title="Audit trail"),
]

st.set_page_config(page_title="Trading Risk Manager", layout="wide")
page = st.navigation(PAGES)
try:
    page.run()
except data.SnapshotChanged:
    # A flow published a new warehouse while this page read the old one: show the new one.
    st.rerun()
