"""`riskman ingest --api` when PropReports says no: one line with the server's message, exit 1,
no traceback, and the credentials nowhere in the output."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from riskman.cli import app
from tests.propreports_api.conftest import PASSWORD


def _api_env(monkeypatch, fake, password: str) -> None:
    monkeypatch.setenv("PROPREPORTS_URL", fake.url)
    monkeypatch.setenv("PROPREPORTS_USER", fake.user)
    monkeypatch.setenv("PROPREPORTS_PASSWORD", password)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.mark.parametrize("fault", ["wrong password", "server error"])
def test_an_api_error_is_one_line_with_the_servers_message(fault, fake, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no stray .env
    wrong = "not-" + PASSWORD
    _api_env(monkeypatch, fake, wrong if fault == "wrong password" else PASSWORD)
    if fault == "server error":
        fake.fail_next(50, status=500)
    args = ["ingest", "--api", "--start", "2024-01-01", "--end", "2024-01-31", str(tmp_path / "dl")]
    result = CliRunner().invoke(app, [*args, "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 1
    (line,) = [line for line in result.output.splitlines() if line.startswith("error:")]
    server_says = "Invalid user or password." if fault == "wrong password" else "Service Unavailable"
    assert line == f"error: PropReports API: {server_says}"
    assert "Traceback" not in result.output
    assert PASSWORD not in result.output and wrong not in result.output
