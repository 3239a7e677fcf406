"""The flows under Prefect's test harness on the ML firm after the model commands: the daily flow
runs every step on a staged copy, publishes the read-only copy, and a second run for the same
day changes nothing; a failed step leaves the warehouse as it was, with a failed_step alert."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from flows.recipes import daily
from riskman import settings
from riskman.atomic_warehouse import publish

pytestmark = pytest.mark.slow

STATE = {
    "live_predictions": "select count(*) from ml.predictions where run_kind = 'live'",
    "live_runs": "select count(*) from ml.runs where run_kind = 'live'",
    "loads": "select count(*) from raw.load_log",
    "monitor_runs": "select count(*) from ml.monitor_runs",
    "fills": "select count(*) from core.fct_fills",
    "check_runs": "select count(distinct run_id) from quality.check_results",
}


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def state(db) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        tables = {
            row[0]
            for row in con.execute("select schema_name || '.' || table_name from duckdb_tables()").fetchall()
        }
        return {
            name: con.execute(sql).fetchone()[0] if sql.split(" from ")[1].split()[0] in tables else 0
            for name, sql in STATE.items()
        }


def assert_viewer_shows_the_overview(db: Path, monkeypatch) -> None:
    """The viewer's first page runs on the warehouse's published copy (Streamlit's AppTest)."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("RISKMAN_DB", str(db))
    viewer = settings.project_path("app", "streamlit_app.py")
    overview = AppTest.from_file(str(viewer), default_timeout=60).run()
    assert not overview.exception, overview.exception
    assert [title.value for title in overview.title] == ["Firm overview"] and overview.dataframe


def test_the_daily_flow_runs_every_step_publishes_and_a_rerun_changes_nothing(
    flow_warehouse, ml_firm_exports
):
    reports = flow_warehouse.parent / "reports"
    first = daily(db=str(flow_warehouse), exports=str(ml_firm_exports), report_dir=str(reports))
    assert set(first) == {"ingest", "build", "predict", "monitor", "report", "overrides", "published"}
    assert first["overrides"] == 0, "no decision was queued"
    after_first = state(flow_warehouse)
    assert after_first["monitor_runs"] >= 1 and (reports / "morning.html").is_file()
    published = flow_warehouse.parent / "published" / "warehouse.duckdb"
    assert state(published) == after_first, "the published copy is the warehouse as the run left it"

    second = daily(db=str(flow_warehouse), exports=str(ml_firm_exports), report_dir=str(reports))
    assert second["predict"]["reused"] and second["monitor"]["reused"]
    # The rebuild records its own check run; nothing else changes.
    assert state(flow_warehouse) == after_first | {"check_runs": after_first["check_runs"] + 1}
    assert not list(flow_warehouse.parent.glob(".work-*")), "no working copy is left behind"


def test_a_failed_step_leaves_the_warehouse_as_it_was_and_raises_an_alert(
    flow_warehouse, ml_firm_exports, tmp_path, monkeypatch
):
    """Predict fails after build has rewritten the marts and stored a check run: none of it
    stays, and the failure is an alert in the warehouse as it was."""
    from ml import jobs

    def offline(*args, **kwargs):
        raise RuntimeError("model store offline")

    monkeypatch.setattr(jobs, "predict", offline)
    before = state(flow_warehouse)
    with pytest.raises(RuntimeError, match="model store offline"):
        daily(db=str(flow_warehouse), exports=str(ml_firm_exports), report_dir=str(tmp_path / "r"))
    assert state(flow_warehouse) == before | {"monitor_runs": before["monitor_runs"] + 1}
    with duckdb.connect(str(flow_warehouse), read_only=True) as con:
        alerts = con.execute(
            "select alert_key, severity, status, message from ml.alerts where rule = 'failed_step'"
        ).fetchall()
    assert [(key, severity, status) for key, severity, status, _ in alerts] == [
        ("failed_step:firm:daily.predict", "critical", "raised")
    ]
    assert "model store offline" in alerts[0][3] and "the warehouse is as it was" in alerts[0][3]
    assert not list(flow_warehouse.parent.glob(".work-*"))


def test_an_empty_export_folder_fails_the_ingest_step(flow_warehouse, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(Exception, match="nothing usable"):
        daily(db=str(flow_warehouse), exports=str(tmp_path / "empty"), report_dir=str(tmp_path / "r"))


def test_a_run_killed_mid_build_leaves_the_warehouse_as_it_was_and_the_next_run_completes(
    flow_warehouse, ml_firm_exports, tmp_path, monkeypatch
):
    """SIGKILL (what the OOM killer sends) to `riskman run-flow daily` while dbt builds its copy:
    the warehouse is untouched and opens, the viewer still shows the published copy, and the
    next run clears the copy and completes."""
    published = publish(flow_warehouse)
    before, file_before, published_before = state(flow_warehouse), digest(flow_warehouse), digest(published)
    command = [sys.executable, "-c", "from flows.cli import app; app()", "run-flow", "daily",
               "--exports", str(ml_firm_exports), "--db", str(flow_warehouse)]  # fmt: skip
    run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(flow_warehouse.parent.glob(".work-*")) and time.monotonic() < deadline:
        time.sleep(0.2)
    copies = list(flow_warehouse.parent.glob(".work-*"))
    assert copies, "the run never staged its copy"
    staged_at = copies[0].stat().st_mtime_ns
    while time.monotonic() < deadline and all(
        not p.exists() or p.stat().st_mtime_ns == staged_at for p in (copies[0], Path(f"{copies[0]}.wal"))
    ):
        time.sleep(0.2)
    assert time.monotonic() < deadline, "the run never wrote to its copy"
    time.sleep(2)  # dbt is rebuilding the copy's models
    run.send_signal(signal.SIGKILL)
    run.wait()
    assert digest(flow_warehouse) == file_before, "not a byte of the warehouse changed"
    assert state(flow_warehouse) == before
    assert digest(published) == published_before
    assert_viewer_shows_the_overview(flow_warehouse, monkeypatch)

    result = daily(db=str(flow_warehouse), exports=str(ml_firm_exports), report_dir=str(tmp_path / "r"))
    assert result["predict"]["traders"] > 0
    assert not list(flow_warehouse.parent.glob(".work-*")), "the killed run's copy was cleared"
