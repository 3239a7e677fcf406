"""How `riskman app` starts Streamlit: this machine only unless told otherwise, headless, no usage
statistics, on the warehouse it was given, importable from any folder."""

from __future__ import annotations

from pathlib import Path

from app.launch import streamlit_command, streamlit_environment
from riskman import settings


def _option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_the_viewer_binds_to_localhost_by_default_and_sends_no_statistics():
    command = streamlit_command()
    assert _option(command, "--server.address") == "127.0.0.1"
    assert _option(command, "--server.headless") == "true"
    assert _option(command, "--browser.gatherUsageStats") == "false"
    assert _option(streamlit_command("0.0.0.0", 9000), "--server.address") == "0.0.0.0"


def test_the_viewer_reads_the_warehouse_it_is_given_from_any_folder(tmp_path: Path):
    env = streamlit_environment(tmp_path / "w.duckdb")
    assert env["RISKMAN_DB"] == str(tmp_path / "w.duckdb")
    assert str(settings.PROJECT_ROOT) in env["PYTHONPATH"].split(":")
