"""A local Prefect server for `riskman serve` when none is configured: `prefect server start`
bound to 127.0.0.1, tied to this process (riskman.child_process), used through PREFECT_API_URL.
Schedules need a real server; the temporary one a plain flow run starts cannot hold them."""

from __future__ import annotations

import contextlib
import os
import sys
import time
import urllib.request
from collections.abc import Iterator

from riskman.child_process import start_tied_to_parent, stop

HOST = "127.0.0.1"
DEFAULT_PORT = 4200
START_TIMEOUT_SECONDS = 90


def _healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:  # noqa: S310 - our own localhost URL
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def prefect_server(port: int = DEFAULT_PORT) -> Iterator[str]:
    """Yield the API URL: the configured PREFECT_API_URL, else a server started here."""
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        yield configured
        return
    api_url = f"http://{HOST}:{port}/api"
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", HOST, "--port", str(port)]
    child = start_tied_to_parent(command)
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not _healthy(api_url):
            if child.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Prefect server did not start on {api_url}")
            time.sleep(1)
        os.environ["PREFECT_API_URL"] = api_url
        yield api_url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        stop(child)
