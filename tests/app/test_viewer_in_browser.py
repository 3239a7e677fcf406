"""End to end: the real `riskman app` on a small published warehouse, driven in headless
Chromium: every page clicked in the sidebar shows real rows without an exception, and a decision
recorded in the audit page's form is queued for the warehouse. Screenshots go to test-artifacts/."""

from __future__ import annotations

import duckdb
import pytest

from ml.monitoring.overrides import queued_overrides
from tests.app.streamlit_browser import viewer_browser
from tests.local_servers import running_viewer

pytestmark = pytest.mark.slow

# Sidebar title -> what a page with real data holds (Streamlit test ids).
PAGES = {
    "Firm overview": "stDataFrame",
    "Trader drill-down": "stPlotlyChart",
    "Backtest and policies": "stPlotlyChart",
    "Model health and drift": "stDataFrame",
    "Data quality": "stDataFrame",
    "Audit trail": "stCode",
}


@pytest.fixture
def viewer(own_viewer_env, tmp_path):
    db, published = own_viewer_env
    with running_viewer(db, tmp_path / "viewer.log") as url, viewer_browser(url) as browser:
        yield db, published, browser


def test_every_page_in_chromium_then_a_decision_recorded_in_the_form(viewer):
    db, published, browser = viewer
    browser.wait_until_shown("Firm overview")
    for title, content in PAGES.items():
        browser.open(title, content)  # times out when the page shows no such element
        assert browser.exceptions() == [], title
        browser.screenshot(f"viewer-{title.lower().replace(' ', '-')}")
    _record_decision(browser.page)
    browser.screenshot("viewer-decision-recorded")
    assert browser.exceptions() == []
    assert browser.errors == []

    queued = queued_overrides(db)
    assert queued[["action", "size", "reason", "recorded_by"]].iloc[-1].tolist() == [
        "override_size", 0.25, "third losing day in a row", "e2e-risk-manager"
    ]  # fmt: skip
    assert "override_size size ×0.25 by e2e-risk-manager" in browser.page.inner_text('[data-testid="stCode"]')


def test_the_overview_counts_every_live_prediction(viewer):
    _, published, browser = viewer
    browser.wait_until_shown("Firm overview", "stMetric")
    with duckdb.connect(str(published), read_only=True) as con:
        scored = con.execute("select count(*) from reporting.rpt_live_predictions").fetchone()[0]
    metric = browser.page.locator('[data-testid="stMetric"]', has_text="Traders scored")
    assert metric.locator('[data-testid="stMetricValue"]').inner_text() == str(scored)


def _record_decision(page) -> None:
    page.locator('[data-testid="stSelectbox"]', has_text="Action").click()
    page.get_by_role("option", name="override_size").click()
    for label, value in [
        ("Size (override_size only)", "0.25"),
        ("Reason", "third losing day in a row"),
        ("Recorded by", "e2e-risk-manager"),
    ]:
        field = page.get_by_label(label)
        field.fill(value)
        field.press("Tab")
    page.get_by_role("button", name="Record").click()
    page.locator('[data-testid="stAlert"]', has_text="joins the warehouse at its next write").wait_for(
        timeout=60000
    )
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]').dataset.testScriptState === 'notRunning'"
    )
