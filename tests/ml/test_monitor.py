"""`riskman monitor` on the ML firm after backtest → train → predict: results in the warehouse, a
rerun changes nothing, a trader without a prediction alerts once (not again the next day), and
the alerts reach a local webhook without its token."""

from __future__ import annotations

import copy
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from ml.cli import app
from ml.config import load_monitoring_config
from ml.monitoring.monitor import monitor
from riskman.quality.results import CHECK_RESULTS_DDL
from tests.firms import copy_warehouse

pytestmark = pytest.mark.slow
TOKEN = secrets.token_hex(8)  # made up per run: no credential-like value in the repository


@pytest.fixture
def warehouse(commands_run, tmp_path):
    db, _, _ = commands_run
    return copy_warehouse(db, tmp_path)


@pytest.fixture
def hook():
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's hook name
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{TOKEN}", received
    server.shutdown()


def query(db, sql: str, params=()) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).df()


def test_monitor_writes_its_results_and_a_rerun_changes_nothing(warehouse):
    runner = CliRunner()
    first = runner.invoke(app, ["monitor", "--db", str(warehouse)])
    assert first.exit_code == 0, first.output
    assert "drift tests" in first.output and "model health is_loss" in first.output
    page = warehouse.parent / "reports" / "drift.html"
    assert f"firm-wide drift report (Evidently; its verdicts raise no alert): {page}" in first.output
    assert page.stat().st_size > 100_000 and "p_loss" in page.read_text()
    runs = query(warehouse, "select * from ml.monitor_runs")
    assert len(runs) == 1 and runs["tests"].iloc[0] > 0
    kinds = set(query(warehouse, "select distinct column_kind from ml.drift_results")["column_kind"])
    assert kinds == {"feature", "behaviour", "prediction", "label"}
    second = runner.invoke(app, ["monitor", "--db", str(warehouse)])
    assert "monitor unchanged" in second.output
    assert len(query(warehouse, "select * from ml.monitor_runs")) == 1


def test_a_trader_without_a_prediction_alerts_once_and_reaches_the_webhook(warehouse, hook):
    url, received = hook
    latest = query(warehouse, "select max(as_of_date) as d from ml.predictions where run_kind = 'live'")[
        "d"
    ].iloc[0]
    trader = query(warehouse, "select min(trader_id) as t from ml.predictions where run_kind = 'live'")[
        "t"
    ].iloc[0]
    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from ml.predictions where run_kind = 'live' and trader_id = ?", [trader])
    config = copy.deepcopy(load_monitoring_config())
    config["channels"]["webhook"].update(enabled=True, url_env="HOOK_URL", token_env="HOOK_TOKEN")
    environ = {"HOOK_URL": url}
    run = monitor(warehouse, as_of=pd.Timestamp(latest), config=config, environ=environ)
    keys = [a.key for a in run.raised]
    assert f"missing_data:{trader}:prediction" in keys
    assert [a["key"] for a in received[0]["alerts"]] == keys
    assert TOKEN not in json.dumps(received) and TOKEN not in json.dumps(
        query(warehouse, "select * from ml.alerts").astype(str).to_dict()
    )

    config["alerts"]["risk_score_limit"] = 81  # another config, so the same day is monitored again
    again = monitor(warehouse, as_of=pd.Timestamp(latest), config=config, environ=environ)
    assert f"missing_data:{trader}:prediction" not in [a.key for a in again.raised]
    assert len(received) == (2 if again.raised else 1)
    statuses = query(
        warehouse,
        "select a.status from ml.alerts as a join ml.monitor_runs as m using (run_id)"
        " where a.alert_key = ? order by m.finished_at",
        [f"missing_data:{trader}:prediction"],
    )["status"].tolist()
    assert statuses == ["raised", "ongoing"]


def test_model_health_is_written_per_version_and_window(warehouse):
    run = monitor(warehouse)
    health = query(warehouse, "select * from ml.model_health where run_id = ?", [run.run_id])
    assert set(health["target"]) == {"is_loss", "is_large_loss"}
    labelled = health[health["labelled_rows"] > 0]
    assert labelled["realised_auc"].between(0, 1).all() and labelled["estimated_auc"].between(0, 1).all()
    assert health["reference_auc"].notna().all(), "judged against the latest backtest's pooled AUC"
    live = query(warehouse, "select distinct model_version from ml.predictions where run_kind = 'live'")
    assert set(live["model_version"]) <= set(health["model_version"]), "the live version is scored too"


def test_a_critical_data_check_stops_that_traders_prediction_and_alerts(warehouse):
    from ml.jobs import predict

    trader = query(warehouse, "select min(trader_id) as t from ml.predictions where run_kind = 'live'")[
        "t"
    ].iloc[0]
    sample = json.dumps([{"trader_id": trader, "as_of_date": "2017-03-30"}])
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema if not exists quality")
        con.execute(CHECK_RESULTS_DDL)
        con.execute(
            """insert into quality.check_results values ('check-test', now(), 'marts_fct_trader_days',
               'core.fct_trader_days', 'expect_column_values_to_not_be_null', 'net_pnl', 'critical',
               false, 1, null, ?, null)""",
            [sample],
        )
    result = predict(warehouse)
    assert trader not in set(result.predictions["trader_id"]) and not result.predictions.empty
    blocked = query(warehouse, "select * from ml.blocked_predictions where run_id = ?", [result.run_id])
    assert blocked["trader_id"].tolist() == [trader] and "net_pnl" in blocked["reason"].iloc[0]

    run = monitor(warehouse)
    keys = [a.key for a in run.raised]
    assert any(k.startswith(f"data_check:{trader}:") for k in keys)
    assert f"missing_data:{trader}:prediction" not in keys, "one alert for the cause, not two"
    critical = [a for a in run.raised if a.rule == "data_check"]
    assert all(a.severity == "critical" for a in critical)
