"""What every page shares: the snapshot it shows (or a message why there is none), and tables."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import data


def current_snapshot() -> data.Snapshot:
    """The published snapshot this run shows, captioned; stops the page when none exists."""
    try:
        snap = data.snapshot()
    except data.NoSnapshot as exc:
        st.info(str(exc))
        st.stop()
    st.caption(snapshot_caption(snap))
    return snap


def snapshot_caption(snap: data.Snapshot) -> str:
    """Which published state a page shows (to the second)."""
    return f"Published warehouse of {snap.published_at:%Y-%m-%d %H:%M:%S} UTC · read-only"


def table(frame: pd.DataFrame, empty: str, **options) -> None:
    """A sortable table, or `empty` when there are no rows."""
    if frame.empty:
        st.info(empty)
    else:
        st.dataframe(frame, hide_index=True, width="stretch", **options)


def usd(value: float) -> str:
    if pd.isna(value):
        return "n/a"
    return f"-${-value:,.0f}" if value < 0 else f"${value:,.0f}"
