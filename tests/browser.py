"""Open an HTML report in headless Chromium, as a reader would, and say what it shows.

The reports are self-contained (plotly.js inline, no CDN), so the page is loaded from a file://
URL with every other request blocked: a page that needs the network fails here, loudly.
The browser is Debian's `/usr/bin/chromium` (`./scripts/setup --with-browser` installs it);
Playwright's own browser download is never used.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS_DIR = Path(
    os.environ.get("RISKMAN_TEST_ARTIFACTS") or Path(__file__).resolve().parent.parent / "test-artifacts"
)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
# Schemes a self-contained page may load; anything else (http, https, ws, ...) is the network.
OFFLINE_SCHEMES = ("file:", "data:", "blob:", "about:")

_CHARTS_RENDERED = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .every(chart => chart.querySelector('svg.main-svg') !== null)"""
_CHART_COUNTS = """() => {
    const charts = [...document.querySelectorAll('.js-plotly-plot')];
    return [charts.length, charts.filter(chart => chart.querySelector('svg.main-svg') !== null).length];
}"""
# Two animation frames: whatever the charts drew last is on screen before the screenshot.
_NEXT_PAINT = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


@dataclass
class RenderedPage:
    console_errors: list[str]  # console errors, uncaught exceptions, failed and blocked requests
    chart_count: int  # elements with class js-plotly-plot
    rendered_chart_count: int  # of those, the ones holding a drawn svg.main-svg
    title: str
    text: str  # document.body.innerText
    screenshot: Path


def require_chromium() -> None:
    """Fail (never skip) when the browser the report tests need is not installed."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"{CHROMIUM} is missing: run ./scripts/setup --with-browser", pytrace=False)


def render_page(html_path: Path, screenshot_name: str, *, timeout_ms: int = 30000) -> RenderedPage:
    """Load `html_path` offline in headless Chromium, wait for its Plotly charts, screenshot it.

    `timeout_ms` bounds each wait (launch, load, network idle, charts, screenshot). Charts still
    undrawn when it runs out are not an exception: the counts report them."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import sync_playwright

    require_chromium()
    html_path = Path(html_path)
    if not html_path.is_file():
        raise FileNotFoundError(html_path)
    name = screenshot_name if screenshot_name.endswith(".png") else f"{screenshot_name}.png"
    screenshot = ARTIFACTS_DIR / name
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    screenshot.unlink(missing_ok=True)  # a picture left by an earlier run never passes for this one

    errors: list[str] = []
    blocked: set[str] = set()

    def on_route(route) -> None:
        url = route.request.url
        if url.startswith(OFFLINE_SCHEMES):
            route.continue_()
            return
        blocked.add(url)
        errors.append(f"blocked network request (the page must work offline): {url}")
        route.abort("blockedbyclient")

    def on_websocket(ws) -> None:
        errors.append(f"blocked network request (the page must work offline): {ws.url}")
        ws.close()

    def on_console(message) -> None:
        if message.type == "error":
            where = message.location or {}
            at = f" ({where.get('url', '')}:{where.get('lineNumber', '')})" if where.get("url") else ""
            errors.append(f"console error: {message.text}{at}")

    def on_page_error(error) -> None:
        errors.append(f"uncaught exception: {error.name}: {error.message}")

    def on_request_failed(request) -> None:
        if request.url not in blocked:  # a blocked request is already reported, once
            errors.append(f"failed request: {request.url} ({request.failure})")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS, timeout=timeout_ms
        )
        try:
            context = browser.new_context(service_workers="block")
            context.route("**/*", on_route)
            context.route_web_socket("**/*", on_websocket)
            page = context.new_page()
            page.on("console", on_console)
            page.on("pageerror", on_page_error)
            page.on("requestfailed", on_request_failed)

            page.goto(html_path.resolve().as_uri(), wait_until="load", timeout=timeout_ms)
            try:
                page.wait_for_load_state("networkidle", timeout=timeout_ms)
            except PlaywrightTimeoutError:
                errors.append(f"timed out after {timeout_ms} ms waiting for network idle")
            # Charts still undrawn at the timeout are reported by the counts, not raised.
            with contextlib.suppress(PlaywrightTimeoutError):
                page.wait_for_function(_CHARTS_RENDERED, timeout=timeout_ms)
            with contextlib.suppress(PlaywrightError):  # a page that cannot paint is still counted
                page.evaluate(_NEXT_PAINT)
            chart_count, rendered_chart_count = page.evaluate(_CHART_COUNTS)
            title = page.title()
            text = page.evaluate("() => document.body ? document.body.innerText : ''")
            page.screenshot(path=str(screenshot), full_page=True, timeout=timeout_ms)
        finally:
            browser.close()

    return RenderedPage(
        console_errors=errors,
        chart_count=chart_count,
        rendered_chart_count=rendered_chart_count,
        title=title,
        text=text,
        screenshot=screenshot,
    )
