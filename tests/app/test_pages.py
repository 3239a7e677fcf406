"""Every page of the viewer runs headless (Streamlit's AppTest) on a small published warehouse and
shows its real rows; the audit page records a decision without touching the warehouse."""

from __future__ import annotations

import duckdb
import pytest

from ml.monitoring.overrides import queued_overrides
from riskman import settings

pytestmark = pytest.mark.slow

APP = str(settings.project_path("app", "streamlit_app.py"))
PAGES = {
    "app_pages/overview.py": "Firm overview",
    "app_pages/trader.py": "Trader drill-down",
    "app_pages/backtest.py": "Backtest and policies",
    "app_pages/health.py": "Model health and drift",
    "app_pages/quality.py": "Data quality",
    "app_pages/audit.py": "Audit trail",
}


def _page(path: str):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    return app.switch_page(path).run()


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_runs_without_an_exception_on_real_rows(viewer_env, path):
    page = _page(path)
    assert not page.exception, page.exception
    assert [title.value for title in page.title] == [PAGES[path]]
    assert page.dataframe or page.get("plotly_chart"), "the page shows some data"


def test_the_overview_lists_every_live_prediction_riskiest_first(viewer_env):
    _, published = viewer_env
    with duckdb.connect(str(published), read_only=True) as con:
        scored = con.execute("select count(*) from reporting.rpt_live_predictions").fetchone()[0]
    risk = _page("app_pages/overview.py").dataframe[0].value
    assert len(risk) == scored > 0
    assert risk["risk_score"].is_monotonic_decreasing


def test_the_audit_page_shows_the_chain_matching_and_the_recorded_decision(viewer_env):
    page = _page("app_pages/audit.py")
    chain = page.code[0].value
    assert "recomputed" in chain and "MATCHES" in chain
    assert "seen at the morning meeting" in chain


def test_a_decision_recorded_in_the_viewer_is_queued_and_joins_the_chain(own_viewer_env):
    db, _ = own_viewer_env
    before = db.read_bytes()
    queued_before = len(queued_overrides(db))
    page = _page("app_pages/audit.py")
    form = {widget.label: widget for widget in [*page.selectbox, *page.text_input, *page.number_input]}
    form["Action"].set_value("override_size")
    form["Size (override_size only)"].set_value(0.25)
    form["Reason"].set_value("third losing day in a row")
    form["Recorded by"].set_value("e2e-risk-manager")
    page.button[0].click().run()
    assert not page.exception, page.exception
    assert page.success and "joins the warehouse at its next write" in page.success[0].value
    assert db.read_bytes() == before, "the viewer never writes the warehouse"
    assert len(queued_overrides(db)) == queued_before + 1
    assert "override_size size ×0.25 by e2e-risk-manager" in page.run().code[0].value


def test_without_a_published_warehouse_each_page_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("RISKMAN_DB", str(tmp_path / "warehouse.duckdb"))
    page = _page("app_pages/overview.py")
    assert not page.exception
    assert "nothing published" in page.info[0].value and "riskman demo" in page.info[0].value
