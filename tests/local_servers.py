"""Local servers the tests talk to: a free port on 127.0.0.1, and the real viewer (`riskman app`)
started as its own process and stopped afterwards."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

LOCALHOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOCALHOST, 0))
        return s.getsockname()[1]


def wait_for_health(url: str, process: subprocess.Popen, timeout_s: float) -> None:
    """Until Streamlit's health endpoint answers `ok`; fails when the process dies first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the viewer exited with {process.returncode} before it answered")
        with (
            contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer,
        ):
            if answer.read().strip() == b"ok":
                return
        time.sleep(0.25)
    raise TimeoutError(f"the viewer at {url} did not answer within {timeout_s:.0f} s")


@contextlib.contextmanager
def running_viewer(db: Path, log: Path, timeout_s: float = 120) -> Iterator[str]:
    """`riskman app --db DB` on a free localhost port, with the current environment; yields its
    URL and stops it (its output is in `log`)."""
    port = free_port()
    riskman = Path(sys.executable).with_name("riskman")
    command = [str(riskman), "app", "--db", str(db), "--port", str(port)]
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=os.environ.copy())
        try:
            url = f"http://{LOCALHOST}:{port}"
            wait_for_health(url, process, timeout_s)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
