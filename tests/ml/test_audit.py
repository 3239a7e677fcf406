"""`riskman audit TRADER DATE` on the ML firm after predict: the chain names the model, the stored
inputs and their hash, the loads behind them, and scoring the stored inputs again with the stored
artifact gives the same numbers; a tampered input row is caught."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from ml.cli import app
from ml.monitoring.audit import audit
from ml.monitoring.overrides import Override, merge_inbox, record_override, submit_override
from tests.firms import copy_warehouse

pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture
def predicted(commands_run, tmp_path):
    db, _, _ = commands_run
    copy = copy_warehouse(db, tmp_path)
    with duckdb.connect(str(copy), read_only=True) as con:
        trader, day = con.execute(
            "select trader_id, target_date from ml.predictions where run_kind = 'live'"
            " order by trader_id limit 1"
        ).fetchone()
    return copy, trader, f"{day:%Y-%m-%d}"


def test_every_live_prediction_has_its_inputs_and_loads(predicted):
    db, _, _ = predicted
    with duckdb.connect(str(db), read_only=True) as con:
        missing = con.execute(
            """select count(*) from ml.predictions as p left join ml.prediction_inputs as i
               using (run_id, trader_id, target_date) where p.run_kind = 'live' and i.run_id is null"""
        ).fetchone()[0]
        loads = con.execute("select load_ids from ml.prediction_inputs").fetchall()
    assert missing == 0
    assert any(json.loads(row[0]) for row in loads), "some trader traded that close: its loads are named"


def test_audit_prints_the_chain_and_the_recomputation_matches(predicted):
    db, trader, day = predicted
    result = runner.invoke(app, ["audit", trader, day, "--db", str(db)])
    assert result.exit_code == 0, result.output
    for words in ("prediction  " + trader, "model       rm-", "inputs      ", "data loads  ", "outcome     "):
        assert words in result.output
    assert "MATCHES" in result.output


def test_a_tampered_input_row_is_caught(predicted):
    db, trader, day = predicted
    with duckdb.connect(str(db)) as con:
        stored = json.loads(
            con.execute("select inputs from ml.prediction_inputs where trader_id = ?", [trader]).fetchone()[0]
        )
        name = next(k for k, v in stored.items() if v is not None and k != "pnl_scale_usd")
        stored[name] = stored[name] + 1.0
        con.execute(
            "update ml.prediction_inputs set inputs = ? where trader_id = ?",
            [json.dumps(stored, sort_keys=True), trader],
        )
    result = runner.invoke(app, ["audit", trader, day, "--db", str(db)])
    assert result.exit_code == 1
    assert "DOES NOT MATCH" in result.output


def test_a_day_without_a_live_prediction_is_one_line(predicted):
    db, trader, _ = predicted
    result = runner.invoke(app, ["audit", trader, "2001-01-02", "--db", str(db)])
    assert (
        result.exit_code == 1
        and "no live prediction for" in result.output
        and "Traceback" not in result.output
    )


def test_a_recorded_override_joins_the_chain(predicted):
    db, trader, day = predicted
    recorded = runner.invoke(
        app,
        ["override", trader, day, "--action", "override_size", "--size", "0.5",
         "--reason", "came back from a losing week", "--by", "risk-desk", "--db", str(db)],
    )  # fmt: skip
    assert recorded.exit_code == 0, recorded.output
    result = runner.invoke(app, ["audit", trader, day, "--db", str(db), "--no-recompute"])
    assert "decision    override_size size ×0.50 by risk-desk" in result.output
    assert "on this prediction: came back from a losing week" in result.output


def test_an_override_without_a_reason_or_size_is_refused_in_one_line(predicted):
    db, trader, day = predicted
    no_size = runner.invoke(
        app, ["override", trader, day, "--action", "override_size", "--reason", "why", "--db", str(db)]
    )
    assert no_size.exit_code == 1 and "size between 0 and 1" in no_size.output
    no_reason = runner.invoke(
        app, ["override", trader, day, "--action", "suspend", "--reason", " ", "--db", str(db)]
    )
    assert no_reason.exit_code == 1 and "needs a reason" in no_reason.output
    unknown = runner.invoke(
        app, ["override", "T999", day, "--action", "note", "--reason", "why", "--db", str(db)]
    )
    assert unknown.exit_code == 1 and "no trader 'T999'" in unknown.output
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from ml.overrides").fetchone()[0] == 0


def test_a_decision_submitted_by_a_reader_is_queued_shown_and_merged_once(predicted):
    """The viewer's path: validated on a read-only snapshot, queued beside the warehouse without
    touching it, shown in the chain as queued, copied into ml.overrides by the next write, once."""
    db, trader, day = predicted
    snapshot = db.with_name("snapshot.duckdb")
    snapshot.write_bytes(db.read_bytes())
    before = db.read_bytes()
    decided = Override(trader, pd.Timestamp(day), "suspend", "limit breached twice", "viewer")
    override_id = submit_override(snapshot, db, decided)
    assert db.read_bytes() == before, "a reader never writes the warehouse"
    queued = audit(snapshot, trader, pd.Timestamp(day), recompute=False, inbox_of=db)
    assert "limit breached twice (queued: joins the warehouse at its next write)" in "\n".join(queued.lines())
    assert merge_inbox(db) == 1 and merge_inbox(db) == 0
    with duckdb.connect(str(db), read_only=True) as con:
        stored = con.execute("select override_id, size, action from ml.overrides").fetchall()
    assert stored == [(override_id, 0.0, "suspend")]
    merged = audit(db, trader, pd.Timestamp(day), recompute=False)
    assert "queued" not in "\n".join(merged.lines()) and "limit breached twice" in "\n".join(merged.lines())


def test_a_decision_the_replaced_warehouse_lost_is_merged_again_from_the_inbox(predicted):
    db, trader, day = predicted
    older = db.read_bytes()  # what a flow's working copy holds when it replaces the warehouse
    record_override(db, Override(trader, pd.Timestamp(day), "note", "watch the open", "desk"))
    db.write_bytes(older)
    assert merge_inbox(db) == 1
