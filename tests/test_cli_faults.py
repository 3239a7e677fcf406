"""The CLI under faults an engineer on call meets: a busy warehouse, a killed build, a failing dbt
test, a file where a folder should be (API errors: tests/propreports_api/test_cli_errors.py).
Each ends in one line a person can act on, never a traceback, and nothing is left running."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from riskman import pipeline
from riskman.cli import app
from riskman.dbt import failed_nodes
from tests.firms import copy_warehouse
from tests.ingest.exports import small_firm

pytestmark = pytest.mark.slow
RISKMAN = Path(sys.executable).with_name("riskman")
HOLD_THE_FILE = (
    "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)"
)


def riskman(*args: str, wait: float = 0.5, **options) -> subprocess.Popen:
    env = {**os.environ, "RISKMAN_LOCK_WAIT_SECONDS": str(wait)}
    return subprocess.Popen(
        [str(RISKMAN), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **options
    )


@pytest.fixture
def holder():
    """Another process holding the warehouse file, as a notebook or a second riskman would."""

    def hold(path: Path) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-c", HOLD_THE_FILE, str(path)], stdout=subprocess.PIPE, text=True
        )
        assert process.stdout.readline().strip() == "held"
        return process

    started: list[subprocess.Popen] = []

    def hold_and_remember(path: Path) -> subprocess.Popen:
        started.append(hold(path))
        return started[-1]

    yield hold_and_remember
    for process in started:
        process.kill()
        process.wait()


@pytest.mark.parametrize("command", ["ingest", "build"])
def test_a_busy_warehouse_is_one_line_naming_the_process_holding_it(
    command, holder, tiny_raw_warehouse, tmp_path
):
    db = copy_warehouse(tiny_raw_warehouse, tmp_path)
    held = holder(db)
    args = ["ingest", str(small_firm(tmp_path / "exports"))] if command == "ingest" else ["build"]
    process = riskman(*args, "--db", str(db))
    _, err = process.communicate(timeout=120)
    assert process.returncode == 1
    assert f"error: warehouse {db} is in use by PID {held.pid} (" in err
    assert "Traceback" not in err and "Conflicting lock" not in err


def test_a_warehouse_freed_within_the_wait_is_used(holder, tmp_path):
    db = tmp_path / "w.duckdb"
    held = holder(db)
    process = riskman("ingest", str(small_firm(tmp_path / "exports")), "--db", str(db), wait=30)
    time.sleep(1.5)
    held.kill()
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err


def _child_of(parent: int, timeout: float = 60) -> int:
    """The PID of `parent`'s child process once it has one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True).stdout.split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise AssertionError(f"process {parent} started no child in {timeout} s")


def _gone(pid: int, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":  # a zombie has stopped
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
def test_stopping_a_build_stops_dbt_with_it(sig, tiny_raw_warehouse, tmp_path):
    db = copy_warehouse(tiny_raw_warehouse, tmp_path)
    build = riskman("build", "--db", str(db), start_new_session=True)
    dbt = _child_of(build.pid)
    time.sleep(1)  # dbt is working on the warehouse now
    os.kill(build.pid, sig)
    build.communicate(timeout=60)
    assert build.returncode != 0
    assert _gone(dbt), "dbt outlived the riskman that started it"
    duckdb.connect(str(db)).close()  # nobody holds the file


def test_a_failing_dbt_test_is_named_in_the_build_summary(tiny_raw_warehouse, tmp_path):
    # The same fill under a second account-day, written past ingest: the fills key test fails.
    db = copy_warehouse(
        tiny_raw_warehouse,
        tmp_path,
        "insert into raw.fills by name select * replace (trade_date + 1 as trade_date, "
        "trade_time + interval 1 day as trade_time, 99999 as _load_seq) from raw.fills limit 1",
    )
    result = pipeline.build_warehouse(db)
    assert result.dbt_returncode != 0 and not result.ok
    summary = result.summary()
    assert "dbt build: failed" in summary
    assert "dbt test unique_stg_propreports__fills_fill_key: fail (1 failing rows)" in summary
    assert "dbt skipped" in summary


def test_a_failed_dbt_step_logs_a_failed_status(tiny_raw_warehouse, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(pipeline, "run_dbt", lambda args, db: subprocess.CompletedProcess(args, 2))
    pipeline.build_warehouse(copy_warehouse(tiny_raw_warehouse, tmp_path))
    (line,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("step=dbt_build")]
    assert "status=failed" in line and "returncode=2" in line


def test_ingest_of_a_file_says_to_give_its_folder(tmp_path):
    file = small_firm(tmp_path / "exports") / "accounts.csv"
    result = CliRunner().invoke(app, ["ingest", str(file), "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 2
    assert "is a file; give the" in " ".join(result.output.replace("│", " ").split())


def test_an_incremental_model_out_of_sync_after_an_upgrade_says_to_full_refresh(tmp_path):
    results = tmp_path / "run_results.json"
    message = (
        "Compilation Error in model fct_fills (models/marts/core/fct_fills.sql)\n\n"
        "  The source and target schemas on this incremental model are out of sync!"
    )
    results.write_text(
        json.dumps(
            {"results": [{"unique_id": "model.riskman.fct_fills", "status": "error", "message": message}]}
        )
    )
    (line,) = failed_nodes(results)
    assert line.startswith("dbt model fct_fills: error: Compilation Error in model fct_fills")
    assert line.endswith("run `riskman build --full-refresh`)")
