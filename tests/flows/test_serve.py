"""`riskman serve` with no server configured: starts a real Prefect server on 127.0.0.1, registers
the three deployments with their schedules, and takes the server down with it when stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.local_servers import LOCALHOST, free_port

pytestmark = pytest.mark.slow

EXPECTED = {
    "daily": ("0 6 * * 1-5", "America/New_York"),
    "weekly_retrain": ("0 22 * * 0", "America/New_York"),
    "monthly_review": ("0 8 1-7 * 6", "America/New_York"),
}


def _post(url: str, body: dict) -> object:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def _served_deployments(api: str, serve: subprocess.Popen, timeout_s: float = 180) -> dict[str, tuple]:
    """Deployment name -> (cron, timezone) once all three are registered and active."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert serve.poll() is None, f"riskman serve exited with {serve.returncode}"
        try:
            found = {
                d["name"]: tuple((s["schedule"]["cron"], s["schedule"]["timezone"]) for s in d["schedules"])
                for d in _post(f"{api}/deployments/filter", {})
                if all(s["active"] for s in d["schedules"])
            }
        except OSError:
            found = {}
        if len(found) == len(EXPECTED):
            return {name: schedules[0] for name, schedules in found.items()}
        time.sleep(1)
    raise TimeoutError("the deployments were not served in time")


def _refuses(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://{LOCALHOST}:{port}/api/health", timeout=2)
    except OSError:
        return True
    return False


def test_serve_starts_a_local_server_and_serves_the_three_schedules(tmp_path: Path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env |= {"PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    riskman = Path(sys.executable).with_name("riskman")
    log = (tmp_path / "serve.log").open("w")
    serve = subprocess.Popen(
        [str(riskman), "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        assert _served_deployments(f"http://{LOCALHOST}:{port}/api", serve) == EXPECTED
    finally:
        serve.send_signal(signal.SIGINT)
        try:
            serve.wait(timeout=60)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()
        log.close()
    deadline = time.monotonic() + 30
    while not _refuses(port) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _refuses(port), "the server riskman serve started outlived it"
