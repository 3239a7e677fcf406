"""The browser harness the report tests rely on (`tests/browser.py`) sees what a reader would:
drawn charts, script errors, and a page that needs the network."""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from tests.browser import render_page

pytestmark = pytest.mark.slow

PLOTLY_CDN = "https://cdn.plot.ly/plotly-2.35.2.min.js"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _figure(title: str) -> go.Figure:
    return go.Figure(go.Scatter(x=[1, 2, 3], y=[2, 1, 3], name=title), layout={"title": title})


def _write(tmp_path: Path, html: str) -> Path:
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    return path


def test_a_self_contained_plotly_page_renders_every_chart(tmp_path):
    page_html = pio.to_html(_figure("First chart"), include_plotlyjs=True, full_html=True)
    second = pio.to_html(_figure("Second chart"), include_plotlyjs=False, full_html=False)
    page_html = page_html.replace("<head>", "<head><title>Harness page</title>", 1)
    page_html = page_html.replace("</body>", f"<p>Below the first chart</p>{second}</body>", 1)

    page = render_page(_write(tmp_path, page_html), "harness_two_charts.png")

    assert page.console_errors == []
    assert (page.chart_count, page.rendered_chart_count) == (2, 2)
    assert page.title == "Harness page"
    assert "Below the first chart" in page.text
    assert page.screenshot.is_file()
    assert page.screenshot.read_bytes()[:8] == PNG_SIGNATURE
    assert page.screenshot.stat().st_size > 5_000  # a picture of two charts, not an empty image


def test_an_uncaught_script_error_is_reported(tmp_path):
    page_html = (
        '<!doctype html><html><body><p>hello</p><script>throw new Error("boom")</script></body></html>'
    )

    page = render_page(_write(tmp_path, page_html), "harness_script_error.png")

    assert any("boom" in error for error in page.console_errors), page.console_errors
    assert page.chart_count == 0
    assert page.text.strip() == "hello"


def test_a_page_that_needs_the_network_is_blocked_and_draws_nothing(tmp_path):
    page_html = pio.to_html(_figure("From the CDN"), include_plotlyjs="cdn", full_html=True)
    assert PLOTLY_CDN in page_html

    page = render_page(_write(tmp_path, page_html), "harness_cdn_blocked.png")

    blocked = [error for error in page.console_errors if PLOTLY_CDN in error and "blocked" in error]
    assert blocked, page.console_errors
    assert (page.chart_count, page.rendered_chart_count) == (0, 0)
