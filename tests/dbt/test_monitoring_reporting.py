"""The reporting views over monitoring's tables (rpt_alerts_open, rpt_alert_log, rpt_drift_latest,
rpt_model_health, rpt_importance_stability, rpt_audit_overrides, rpt_blocked_predictions): empty
but queryable on a fresh build, and, once monitor and predict runs are written, showing the open
alerts with the day each was raised, the monitor run that finished last for each day, overrides
beside the live prediction they act on, and blocked traders beside their run.

The views read the ml tables live, so rows inserted after the build show without another dbt run;
the last test runs `dbt build` on the new models over the written rows (their data tests too).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from riskman.dbt import run_dbt
from tests.firms import copy_warehouse

pytestmark = pytest.mark.slow

VIEWS = (
    "rpt_alerts_open",
    "rpt_alert_log",
    "rpt_drift_latest",
    "rpt_model_health",
    "rpt_importance_stability",
    "rpt_audit_overrides",
    "rpt_blocked_predictions",
)
MODELS = ("stg_ml__monitor_runs+", "stg_ml__alerts+", "stg_ml__drift_results+", "stg_ml__model_health+")
MODELS += ("stg_ml__importance_stability+", "stg_ml__overrides+", "stg_ml__blocked_predictions+")

DAY1, DAY2 = date(2016, 4, 27), date(2016, 4, 28)
# Day 2 was monitored twice; the rerun finished later and supersedes the first run. The run ids
# sort against that, so only finished_at can tell. Day 1's run finished last of all (a late
# backfill), so only ordering by as_of_date before finished_at finds day 2's alert rows latest.
FIRST, EARLY, RERUN = "monitor-c-day1", "monitor-b-day2-first", "monitor-a-day2-rerun"
MONITOR_RUNS = {
    FIRST: (DAY1, datetime(2016, 4, 29, 9, tzinfo=UTC)),
    EARLY: (DAY2, datetime(2016, 4, 28, 18, tzinfo=UTC)),
    RERUN: (DAY2, datetime(2016, 4, 28, 20, tzinfo=UTC)),
}
LATEST = {DAY1: FIRST, DAY2: RERUN}

STILL_OPEN = "risk_limit:T1:risk_score"  # raised on day 1, ongoing on day 2
RESOLVED = "drift:firm:net_pnl"  # raised on day 1, resolved on day 2
RERUN_RESOLVED = "missing_data:T2:no_prediction"  # the day 2 rerun resolved it (the data came)
RAISED_AGAIN = "drift:T1:fills_count"  # raised, resolved, then raised again by the day 2 rerun
# (run, key, status, delivered_to); message = f"{key} {run}"
ALERTS = [
    (FIRST, STILL_OPEN, "raised", "log,email"),
    (EARLY, STILL_OPEN, "ongoing", None),
    (RERUN, STILL_OPEN, "ongoing", None),
    (FIRST, RESOLVED, "raised", "log"),
    (EARLY, RESOLVED, "resolved", None),
    (RERUN, RESOLVED, "resolved", None),
    (FIRST, RERUN_RESOLVED, "raised", "log"),
    (EARLY, RERUN_RESOLVED, "ongoing", None),
    (RERUN, RERUN_RESOLVED, "resolved", None),
    (FIRST, RAISED_AGAIN, "raised", "log"),
    (EARLY, RAISED_AGAIN, "resolved", None),
    (RERUN, RAISED_AGAIN, "raised", "log,webhook"),
]

# Each run's drift tests: the firm and one trader, one column each; psi tells the runs apart.
PSI = {FIRST: 0.1, EARLY: 9.9, RERUN: 0.3}
DRIFT_SCOPES = [("firm", None), ("trader", "T1")]

LIVE, OLDER_LIVE, BACKTEST, BLOCKED = "live-b-newer", "live-a-older", "backtest-x", "live-c-blocked"
TARGET = date(2016, 4, 29)
CREATED = datetime(2016, 4, 29, 6, tzinfo=UTC)
# (override_id, prediction_run_id, trader, target_date, action, size)
OVERRIDES = [
    ("o1-acts-on-live", LIVE, "T1", TARGET, "override_size", 0.5),
    ("o2-no-prediction", None, "T3", TARGET, "suspend", 0.0),
    ("o3-backtest-run", BACKTEST, "T1", TARGET, "accept", None),  # a backtest is not a live prediction
    ("o4-other-day", OLDER_LIVE, "T1", TARGET, "note", None),  # that run predicted another day
]


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple], columns: str) -> None:
    marks = ", ".join("?" * len(rows[0]))
    con.executemany(f"insert into ml.{table} ({columns}) values ({marks})", rows)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def _window(run: str) -> tuple[date, date, date, date]:
    """The run's reference and current windows, distinct per day."""
    as_of = MONITOR_RUNS[run][0]
    return date(2016, 1, 4), date(2016, 3, 31), date(2016, 4, as_of.day - 19), as_of


def _write_monitoring(con: duckdb.DuckDBPyConnection) -> None:
    _insert(
        con,
        "monitor_runs",
        [
            (run, as_of, finished, finished, "rm-champion", *_window(run), 2, 1)
            for run, (as_of, finished) in MONITOR_RUNS.items()
        ],
        "run_id, as_of_date, started_at, finished_at, model_version,"
        " reference_start, reference_end, current_start, current_end, tests, flagged",
    )
    _insert(
        con,
        "alerts",
        [
            (run, MONITOR_RUNS[run][0], key, *key.split(":")[:2], "critical", key.split(":")[2])
            + (status, f"{key} {run}", delivered)
            for run, key, status, delivered in ALERTS
        ],
        "run_id, as_of_date, alert_key, rule, subject, severity, condition, status, message, delivered_to",
    )
    _insert(
        con,
        "drift_results",
        [
            (run, scope, trader, "net_pnl", "feature", 40, 20, PSI[run], 0.2, 0.01, run == RERUN, -5.0, 7.0)
            for run in MONITOR_RUNS
            for scope, trader in DRIFT_SCOPES
        ],
        "run_id, scope, trader_id, column_name, column_kind, n_reference, n_current, psi, ks, p_value,"
        " flagged, reference_median, current_median",
    )
    _insert(
        con,
        "model_health",
        [
            (run, MONITOR_RUNS[run][0], "rm-champion", target, date(2016, 4, 1), TARGET, 20, 15)
            + (PSI[run], run == EARLY)
            for run in MONITOR_RUNS
            for target in ("is_loss", "is_large_loss")
        ],
        "run_id, as_of_date, model_version, target, window_start, window_end, rows, labelled_rows,"
        " realised_auc, degraded",
    )
    _insert(
        con,
        "importance_stability",
        [(run, "rm-champion", "rm-previous", "is_loss", PSI[run], 0.9) for run in MONITOR_RUNS],
        "run_id, model_version, previous_version, target, gain_rank_correlation, top_overlap",
    )


def _write_predictions_and_decisions(con: duckdb.DuckDBPyConnection) -> None:
    runs = [
        (OLDER_LIVE, "live", datetime(2016, 4, 28, 6, tzinfo=UTC), None),
        (LIVE, "live", datetime(2016, 4, 29, 6, tzinfo=UTC), None),
        (BACKTEST, "backtest", datetime(2016, 4, 29, 7, tzinfo=UTC), None),
        (BLOCKED, "live", datetime(2016, 4, 29, 8, tzinfo=UTC), "stopped: fills_not_null"),
    ]
    _insert(
        con,
        "runs",
        [(run, kind, at, at, note) for run, kind, at, note in runs],
        "run_id, run_kind, started_at, finished_at, note",
    )
    # (run, kind, trader, as_of, target, p_loss): p_loss tells the predictions apart.
    predictions = [
        (LIVE, "live", "T1", DAY2, TARGET, 0.61),
        (LIVE, "live", "T2", DAY2, TARGET, 0.22),
        (OLDER_LIVE, "live", "T1", DAY1, DAY2, 0.33),
        (BACKTEST, "backtest", "T1", DAY2, TARGET, 0.99),
    ]
    _insert(
        con,
        "predictions",
        [
            (run, kind, "rm-champion", trader, as_of, target, p, p / 2, 100 * p / 2, 1 - p, CREATED)
            for run, kind, trader, as_of, target, p in predictions
        ],
        "run_id, run_kind, model_version, trader_id, as_of_date, target_date, p_loss, p_large_loss,"
        " risk_score, recommended_size, created_at",
    )
    _insert(
        con,
        "overrides",
        [
            (oid, datetime(2016, 4, 29, 7, tzinfo=UTC), "risk.manager", trader, target, run, action, size)
            + (f"why {oid}",)
            for oid, run, trader, target, action, size in OVERRIDES
        ],
        "override_id, recorded_at, recorded_by, trader_id, target_date, prediction_run_id, action, size,"
        " reason",
    )
    _insert(
        con,
        "blocked_predictions",
        [
            (BLOCKED, "firm", DAY2, "check-1", "fills_not_null"),
            (LIVE, "T4", DAY2, "check-2", "totals_reconcile"),
        ],
        "run_id, trader_id, as_of_date, check_run_id, reason",
    )


@pytest.fixture(scope="module")
def empty_and_written(tiny_built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    """The built tiny firm copied, the views' row counts before any monitoring row is written,
    then the synthetic runs written; yields (copy, counts before)."""
    db = copy_warehouse(tiny_built_warehouse, tmp_path_factory.mktemp("monitoring_reporting"))
    with duckdb.connect(str(db)) as con:
        before = {view: _rows(con, f"select count(*) from reporting.{view}")[0][0] for view in VIEWS}
        _write_monitoring(con)
        _write_predictions_and_decisions(con)
    yield db, before


@pytest.fixture
def con(empty_and_written):
    with duckdb.connect(str(empty_and_written[0]), read_only=True) as connection:
        yield connection


def test_the_views_are_built_and_empty_before_any_monitor_run(empty_and_written):
    assert empty_and_written[1] == dict.fromkeys(VIEWS, 0)


def test_the_run_of_each_day_that_finished_last_counts(con):
    rows = _rows(
        con,
        """select as_of_date, run_id, finished_at
           from intermediate.int_monitor_runs_filtered_to_latest_per_day order by as_of_date""",
    )
    assert rows == [(day, run, MONITOR_RUNS[run][1]) for day, run in LATEST.items()]


def test_open_alerts_are_the_keys_whose_latest_row_is_raised_or_ongoing(con):
    rows = _rows(con, "select alert_key, status, last_run_id from reporting.rpt_alerts_open order by 1")
    assert rows == [(RAISED_AGAIN, "raised", RERUN), (STILL_OPEN, "ongoing", RERUN)]


def test_an_open_alert_dates_from_its_latest_raised_row(con):
    rows = _rows(
        con,
        """select alert_key, rule, subject, condition, first_raised_date, last_seen_date, days_open,
                  message, delivered_to
           from reporting.rpt_alerts_open order by alert_key""",
    )
    assert rows == [
        # Raised on day 1 and resolved by day 2's first run: the open episode began on day 2.
        (RAISED_AGAIN, "drift", "T1", "fills_count", DAY2, DAY2, 0, f"{RAISED_AGAIN} {RERUN}", "log,webhook"),
        (STILL_OPEN, "risk_limit", "T1", "risk_score", DAY1, DAY2, 1, f"{STILL_OPEN} {RERUN}", "log,email"),
    ]


def test_the_alert_log_keeps_every_row_with_its_run(con):
    rows = _rows(
        con,
        """select run_id, alert_key, as_of_date, run_finished_at, is_latest_run_of_day, status
           from reporting.rpt_alert_log""",
    )
    assert sorted(rows) == sorted(
        (run, key, *MONITOR_RUNS[run], run in LATEST.values(), status) for run, key, status, _ in ALERTS
    )


def test_drift_shows_the_latest_run_of_each_day_with_its_windows(con):
    rows = _rows(
        con,
        """select as_of_date, run_id, run_finished_at, reference_start_date, reference_end_date,
                  current_start_date, current_end_date, scope, trader_id, psi, flagged
           from reporting.rpt_drift_latest order by as_of_date, scope""",
    )
    assert rows == [
        (day, run, MONITOR_RUNS[run][1], *_window(run), scope, trader, PSI[run], run == RERUN)
        for day, run in LATEST.items()
        for scope, trader in DRIFT_SCOPES
    ]


def test_model_health_shows_the_latest_run_of_each_day(con):
    rows = _rows(
        con,
        """select as_of_date, run_id, target, realised_auc, degraded
           from reporting.rpt_model_health order by as_of_date, target""",
    )
    assert rows == [
        (day, run, target, PSI[run], False)
        for day, run in LATEST.items()
        for target in ("is_large_loss", "is_loss")
    ]


def test_importance_stability_shows_the_latest_run_of_each_day_dated_by_it(con):
    rows = _rows(
        con,
        """select as_of_date, run_id, model_version, previous_version, gain_rank_correlation
           from reporting.rpt_importance_stability order by as_of_date""",
    )
    assert rows == [(day, run, "rm-champion", "rm-previous", PSI[run]) for day, run in LATEST.items()]


def test_an_override_sits_beside_the_live_prediction_it_acts_on(con):
    rows = _rows(
        con,
        """select action, size, reason, recorded_by, has_prediction, prediction_as_of_date,
                  p_loss, p_large_loss, risk_score, recommended_size
           from reporting.rpt_audit_overrides where override_id = 'o1-acts-on-live'""",
    )
    assert rows == [
        ("override_size", 0.5, "why o1-acts-on-live", "risk.manager", True, DAY2)
        + tuple(pytest.approx(v) for v in (0.61, 0.305, 30.5, 0.39))
    ]


def test_an_override_without_a_live_prediction_still_shows(con):
    rows = _rows(
        con,
        """select override_id, prediction_run_id, action, has_prediction,
                  prediction_as_of_date, p_loss, p_large_loss, risk_score, recommended_size
           from reporting.rpt_audit_overrides where override_id != 'o1-acts-on-live' order by 1""",
    )
    assert rows == [
        (oid, run, action, False, None, None, None, None, None)
        for oid, run, _, _, action, _ in OVERRIDES
        if oid != "o1-acts-on-live"
    ]


def test_blocked_predictions_show_with_their_run(con):
    rows = _rows(
        con,
        """select run_id, run_kind, run_note, as_of_date, trader_id, check_run_id, reason
           from reporting.rpt_blocked_predictions order by run_id""",
    )
    assert rows == [
        (LIVE, "live", None, DAY2, "T4", "check-2", "totals_reconcile"),
        (BLOCKED, "live", "stopped: fills_not_null", DAY2, "firm", "check-1", "fills_not_null"),
    ]


def test_the_dbt_build_of_the_monitoring_models_passes_on_the_written_runs(empty_and_written, tmp_path):
    db = copy_warehouse(empty_and_written[0], tmp_path)
    assert run_dbt(["build", "--select", *MODELS], db).returncode == 0
