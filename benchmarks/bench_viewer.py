"""How long each viewer page takes to render in a real browser on the demo warehouse.

    .venv/bin/python benchmarks/bench_viewer.py [--db data/warehouse.duckdb] [--rounds 2]

Starts `riskman app` on a free localhost port (publishing the warehouse first if it changed),
opens it in headless Chromium and clicks through every page `--rounds` times, with the driver of
the end-to-end test (tests/app/streamlit_browser.py). A page's time runs from the click to the
end of its Streamlit run with every chart drawn. Round 1 is the first visit after the server
started (first queries); later rounds read the per-snapshot cache. Also timed: the first page
after the server started, and a reload (a new session, as when the risk manager opens the
viewer at 8:30 on a server running since the flow). Target (issue 11): every page <= 2 s on the
demo warehouse.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from riskman import settings

sys.path.insert(0, str(settings.PROJECT_ROOT))  # the end-to-end test's browser driver

from tests.app.streamlit_browser import viewer_browser  # noqa: E402
from tests.local_servers import running_viewer  # noqa: E402

# Each page's title and the element that shows last (a Streamlit test id).
PAGES = {
    "Firm overview": "stPlotlyChart",
    "Trader drill-down": "stPlotlyChart",
    "Backtest and policies": "stPlotlyChart",
    "Model health and drift": "stDataFrame",
    "Data quality": "stDataFrame",
    "Audit trail": "stCode",
}
TARGET_SECONDS = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, default=settings.warehouse_path())
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    times: dict[str, list[float]] = {page: [] for page in PAGES}
    with tempfile.TemporaryDirectory() as tmp, running_viewer(args.db, Path(tmp) / "viewer.log") as url:
        started = time.perf_counter()
        with viewer_browser(url) as browser:
            loaded = time.perf_counter()
            browser.wait_until_shown("Firm overview", PAGES["Firm overview"])
            first_page = time.perf_counter() - loaded
            launch = loaded - started
            for _ in range(args.rounds):
                for page in [*list(PAGES)[1:], "Firm overview"]:
                    clicked = time.perf_counter()
                    browser.open(page, PAGES[page])
                    times[page].append(time.perf_counter() - clicked)
                    if browser.exceptions():
                        raise SystemExit(f"{page}: {browser.exceptions()}")
            reopened = time.perf_counter()
            browser.page.reload()  # a new session on the running server, as at 8:30
            browser.wait_until_shown("Firm overview", PAGES["Firm overview"])
            new_session = time.perf_counter() - reopened
    print(f"browser start and the viewer's HTML loaded: {launch:.1f} s")
    print(f"first page after the server started (overview), HTML load to last chart: {first_page:.1f} s")
    print(f"first page of a new session on the running server (reload to last chart): {new_session:.1f} s")
    print("| page | " + " | ".join(f"round {i + 1} (s)" for i in range(args.rounds)) + " |")
    print("| --- |" + " --- |" * args.rounds)
    for page, seconds in times.items():
        print(f"| {page} | " + " | ".join(f"{s:.2f}" for s in seconds) + " |")
    slowest = max(max(seconds) for seconds in times.values())
    checked = {"slowest page switch": slowest, "opening the viewer (a new session)": new_session}
    for what, seconds in checked.items():
        verdict = "meets" if seconds <= TARGET_SECONDS else "MISSES"
        print(f"{what}: {seconds:.2f} s, {verdict} the <= {TARGET_SECONDS:.0f} s target")


if __name__ == "__main__":
    main()
