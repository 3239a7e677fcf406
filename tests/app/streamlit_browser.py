"""Drive the running viewer in headless Chromium as the risk manager would: click a page in the
sidebar, wait until Streamlit has finished that run, look for exceptions, take a screenshot.

Only the viewer's own origin may be reached: any other request is blocked and reported, so a
page that would need the internet fails here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from tests.browser import ARTIFACTS_DIR, CHROMIUM, CHROMIUM_FLAGS, require_chromium

# The script run behind what is on screen has finished (Streamlit's own test hook on stApp).
_RUN_FINISHED = """title => {
    const app = document.querySelector('[data-testid="stApp"]');
    const heading = document.querySelector('h1');
    return app && app.dataset.testScriptState === 'notRunning'
        && app.dataset.testConnectionState === 'CONNECTED'
        && heading && heading.innerText.trim() === title;
}"""
_CHARTS_DRAWN = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .every(chart => chart.querySelector('svg.main-svg') !== null)"""


@dataclass
class ViewerBrowser:
    page: object  # playwright.sync_api.Page
    errors: list[str] = field(default_factory=list)  # uncaught exceptions, blocked requests

    def open(self, title: str, content: str | None = None, timeout_ms: int = 60000) -> None:
        """Click `title` in the sidebar and wait until it is shown (wait_until_shown)."""
        self.page.locator('[data-testid="stSidebarNav"] a', has_text=title).click()
        self.wait_until_shown(title, content, timeout_ms)

    def wait_until_shown(self, title: str, content: str | None = None, timeout_ms: int = 60000) -> None:
        """Until the run behind page `title` has finished, an element of test id `content` is
        visible (tables and charts load their renderer after the run) and every chart is drawn."""
        self.page.wait_for_function(_RUN_FINISHED, arg=title, timeout=timeout_ms)
        if content:
            self.page.locator(f'[data-testid="{content}"]').first.wait_for(timeout=timeout_ms)
        self.page.wait_for_function(_CHARTS_DRAWN, timeout=timeout_ms)

    def exceptions(self) -> list[str]:
        """The text of every Streamlit exception box on screen."""
        return self.page.locator('[data-testid="stException"]').all_inner_texts()

    def count(self, test_id: str) -> int:
        return self.page.locator(f'[data-testid="{test_id}"]').count()

    def screenshot(self, name: str) -> None:
        path = ARTIFACTS_DIR / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)  # a picture left by an earlier run never passes for this one
        self.page.screenshot(path=str(path), full_page=True)


@contextlib.contextmanager
def viewer_browser(url: str) -> Iterator[ViewerBrowser]:
    """Headless Chromium (Debian's, never Playwright's download) on `url`, its first page loaded."""
    from playwright.sync_api import sync_playwright

    require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1600}, service_workers="block")
            viewer = ViewerBrowser(context.new_page())
            _only_the_viewer(context, url, viewer.errors)
            viewer.page.on("pageerror", lambda error: viewer.errors.append(f"uncaught: {error}"))
            viewer.page.goto(url, wait_until="load")
            yield viewer
        finally:
            browser.close()


def _only_the_viewer(context, url: str, errors: list[str]) -> None:
    def route(request_route) -> None:
        target = request_route.request.url
        if target.startswith((url, "data:", "blob:", "about:")):
            request_route.continue_()
        else:
            errors.append(f"blocked request off this machine: {target}")
            request_route.abort("blockedbyclient")

    def route_socket(socket) -> None:
        if socket.url.startswith(url.replace("http", "ws", 1)):
            socket.connect_to_server()
        else:
            errors.append(f"blocked websocket off this machine: {socket.url}")
            socket.close()

    context.route("**/*", route)
    context.route_web_socket("**/*", route_socket)
