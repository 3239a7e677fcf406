"""Concurrency: the viewer open in Chromium and reloading while the daily flow writes and
publishes. The flow succeeds (the viewer never takes the writer's lock), and every reload shows
a whole page of one published state: the old one, then the new one, never an error."""

from __future__ import annotations

import contextvars
import threading

import pytest

from app.data import snapshot
from app.ui import snapshot_caption
from flows.recipes import daily
from tests.app.streamlit_browser import viewer_browser
from tests.local_servers import running_viewer

pytestmark = pytest.mark.slow


def test_reloading_while_the_daily_flow_publishes_shows_the_old_then_the_new_state(
    own_viewer_env,
    ml_firm_exports,
    prefect_harness,
    tmp_path,
):
    db, _ = own_viewer_env
    old = _caption()
    outcome: dict[str, object] = {}

    def run_flow() -> None:
        try:
            reports = str(tmp_path / "reports")
            outcome["result"] = daily(db=str(db), exports=str(ml_firm_exports), report_dir=reports)
        except Exception as exc:  # the assertion below reports it
            outcome["error"] = exc

    with running_viewer(db, tmp_path / "viewer.log") as url, viewer_browser(url) as browser:
        browser.wait_until_shown("Firm overview")
        # In Prefect's test harness, which is a context variable the thread must inherit.
        flow = threading.Thread(target=contextvars.copy_context().run, args=(run_flow,))
        flow.start()
        try:
            seen = reloads_while_running(browser, flow)
        finally:
            flow.join()
        assert browser.errors == []

    assert "error" not in outcome, outcome.get("error")
    new = _caption()
    assert new != old
    assert set(seen) <= {old, new}, "every reload showed one published state"
    assert seen[0] == old and seen[-1] == new
    assert seen == sorted(seen, key=[old, new].index), "once the new state shows, it stays"


def reloads_while_running(browser, flow: threading.Thread) -> list[str]:
    """Reload the overview while the flow runs, and once after; the caption of each reload."""
    seen: list[str] = []
    running = True
    while running:
        running = flow.is_alive()
        browser.page.reload()
        browser.wait_until_shown("Firm overview", "stPlotlyChart")  # the page's last element
        assert browser.exceptions() == [], f"reload {len(seen) + 1}"
        whole = [browser.count(test_id) for test_id in ("stMetric", "stDataFrame", "stPlotlyChart")]
        assert whole[0] == 2 and whole[1] >= 1 and whole[2] == 1, f"a whole page: {whole}"
        seen.append(browser.page.inner_text('[data-testid="stCaptionContainer"]'))
    return seen


def _caption() -> str:
    """The caption every page shows for the published copy as it is now."""
    return snapshot_caption(snapshot())
