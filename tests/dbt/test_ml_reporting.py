"""The reporting views over the ML steps' tables (marts/reporting/rpt_*): empty but queryable on a
fresh build, and, once two runs of each kind are written, showing only the newer run's rows.

The views read the ml tables live, so rows inserted after the build show without another dbt run.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from riskman.dbt import run_dbt
from tests.firms import copy_warehouse

pytestmark = pytest.mark.slow

VIEWS = (
    "rpt_live_predictions",
    "rpt_backtest_predictions",
    "rpt_model_evaluation",
    "rpt_ensemble_weights",
    "rpt_model_registry",
)

# Two runs of each kind. The run ids sort against the finish times, so only finished_at can
# tell which run is the latest; a tune run finishes after all of them and must not count.
RUNS = [
    ("backtest-b-older", "backtest", "2016-05-01 08:00:00+00"),
    ("backtest-a-newer", "backtest", "2016-05-02 08:00:00+00"),
    ("live-b-older", "live", "2016-05-03 06:00:00+00"),
    ("live-a-newer", "live", "2016-05-04 06:00:00+00"),
    ("tune-latest", "tune", "2016-05-05 06:00:00+00"),
]
OLDER_BACKTEST, NEWER_BACKTEST = "backtest-b-older", "backtest-a-newer"
OLDER_LIVE, NEWER_LIVE = "live-b-older", "live-a-newer"
LIVE_AS_OF = {OLDER_LIVE: date(2016, 4, 27), NEWER_LIVE: date(2016, 4, 28)}
LIVE_TARGET = {OLDER_LIVE: date(2016, 4, 28), NEWER_LIVE: date(2016, 4, 29)}

CHAMPION = "rm-20160428-champion"
REGISTRY = [
    # model_version, status, created_at, promoted_at
    ("rm-20160401-retired", "retired", "2016-04-02 06:00:00+00", "2016-04-02 06:00:00+00"),
    (CHAMPION, "champion", "2016-04-29 06:00:00+00", "2016-04-29 06:00:00+00"),
    ("rm-20160429-challenger", "challenger", "2016-04-30 06:00:00+00", None),
]


def _prediction(run_id: str, kind: str, trader_id: str, as_of: date, target: date, p_loss: float) -> tuple:
    return (
        run_id,
        kind,
        f"{run_id}/fold-000" if kind == "backtest" else CHAMPION,
        trader_id,
        None,
        as_of,
        target,
        p_loss,
        p_loss / 4,
        -1000.0,
        25.0,
        0.75,
        "synthetic",
        "2016-05-01 06:00:00+00",
    )


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    marks = ", ".join("?" * len(rows[0]))
    con.executemany(f"insert into ml.{table} values ({marks})", rows)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def empty_and_written(tiny_built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    """The built tiny firm copied, the reporting views' row counts before any ML row is written,
    then the synthetic runs written; yields (copy, counts before, the backtest rows written)."""
    db = copy_warehouse(tiny_built_warehouse, tmp_path_factory.mktemp("ml_reporting"))
    with duckdb.connect(str(db)) as con:
        before = {view: _rows(con, f"select count(*) from reporting.{view}")[0][0] for view in VIEWS}
        traders = [row[0] for row in _rows(con, "select trader_id from core.dim_traders order by trader_id")]
        # Two trader-days with a label (the trader traded the next day), one without.
        labelled = _rows(
            con,
            """select trader_id, as_of_date, target_date from labels.lbl_next_day_outcomes
               where is_large_loss is not null order by trader_id, as_of_date limit 2""",
        )
        unlabelled = _rows(
            con,
            """select d.trader_id, d.trade_date, n.trade_date
               from core.fct_trader_days as d
               inner join core.fct_trader_days as n
                   on d.trader_id = n.trader_id and d.trading_day_number + 1 = n.trading_day_number
               where not n.is_active
               order by d.trader_id, d.trade_date limit 1""",
        )
        assert len(labelled) == 2 and len(unlabelled) == 1, "the tiny firm must have both kinds of day"
        backtest = [(*row, 0.1 * i) for i, row in enumerate(labelled + unlabelled, start=1)]

        _insert(
            con,
            "runs",
            [
                (run_id, kind, finished, finished, "test", "c", "f", None, None, None, None, None, None)
                for run_id, kind, finished in RUNS
            ],
        )
        predictions = [
            _prediction(run, "live", trader, LIVE_AS_OF[run], LIVE_TARGET[run], 0.5)
            for run in (OLDER_LIVE, NEWER_LIVE)
            for trader in traders
        ]
        predictions += [_prediction(NEWER_BACKTEST, "backtest", *row) for row in backtest]
        # The older backtest predicted the same days (and one more): none of it may show.
        predictions += [
            _prediction(OLDER_BACKTEST, "backtest", trader, as_of, target, 0.9)
            for trader, as_of, target, _ in backtest
        ]
        predictions.append(
            _prediction(OLDER_BACKTEST, "backtest", traders[0], date(2016, 1, 4), date(2016, 1, 5), 0.9)
        )
        _insert(con, "predictions", predictions)
        _insert(
            con,
            "evaluation",
            [
                (run, fold, model, "is_loss", metric, value)
                for run, value in ((OLDER_BACKTEST, 0.1), (NEWER_BACKTEST, 0.6))
                for fold in (None, 0, 1)
                for model in ("ensemble", "baseline")
                for metric in ("auc", "log_loss")
            ],
        )
        _insert(
            con,
            "ensemble_weights",
            [
                (run, fold, None, None, "is_loss", member, 0.5, None, None, None, "isotonic", None, None)
                for run in (OLDER_BACKTEST, NEWER_BACKTEST)
                for fold in (0, 1)
                for member in ("lightgbm", "logistic")
            ],
        )
        _insert(
            con,
            "model_registry",
            [
                (version, "risk_model", None, None, "f", "{}", "{}", "test", f"/models/{version}", status)
                + (created, promoted)
                for version, status, created, promoted in REGISTRY
            ],
        )
    yield db, before, backtest


@pytest.fixture
def con(empty_and_written):
    with duckdb.connect(str(empty_and_written[0]), read_only=True) as connection:
        yield connection


def test_the_views_are_built_and_empty_before_any_ml_step(empty_and_written):
    _, before, _ = empty_and_written
    assert before == dict.fromkeys(VIEWS, 0)


def test_live_predictions_show_the_newer_live_run_one_row_per_trader(con):
    rows = _rows(
        con,
        """select p.run_id, p.trader_id, p.as_of_date, p.target_date, p.trader_name, p.desk,
                  t.trader_name, t.desk
           from reporting.rpt_live_predictions as p
           left join core.dim_traders as t on p.trader_id = t.trader_id""",
    )
    traders = [row[0] for row in _rows(con, "select trader_id from core.dim_traders")]
    assert sorted(row[1] for row in rows) == sorted(traders)
    assert {row[:1] + row[2:4] for row in rows} == {
        (NEWER_LIVE, LIVE_AS_OF[NEWER_LIVE], LIVE_TARGET[NEWER_LIVE])
    }
    assert all(row[4] is not None and row[4:6] == row[6:8] for row in rows), rows


def test_backtest_predictions_show_the_newer_backtest_run_with_the_outcomes(con, empty_and_written):
    _, _, written = empty_and_written
    rows = _rows(
        con,
        """select p.run_id, p.trader_id, p.as_of_date, p.target_date, p.p_loss, p.has_outcome,
                  p.realised_net_pnl, p.realised_is_loss, p.realised_is_large_loss,
                  l.net_pnl, l.is_loss, l.is_large_loss
           from reporting.rpt_backtest_predictions as p
           left join labels.lbl_next_day_outcomes as l
               on p.trader_id = l.trader_id and p.as_of_date = l.as_of_date
           order by p.p_loss""",
    )
    assert [row[:5] for row in rows] == [(NEWER_BACKTEST, *row) for row in written]
    (first, second, untraded) = rows
    for labelled in (first, second):
        assert labelled[5] is True and labelled[6] is not None
        assert labelled[6:9] == labelled[9:12]
    assert untraded[5:9] == (False, None, None, None)


def test_model_evaluation_shows_the_pooled_scores_of_the_newer_backtest(con):
    rows = _rows(
        con,
        "select run_id, model, target, metric, metric_value from reporting.rpt_model_evaluation",
    )
    assert sorted(rows) == [
        (NEWER_BACKTEST, model, "is_loss", metric, 0.6)
        for model in ("baseline", "ensemble")
        for metric in ("auc", "log_loss")
    ]


def test_ensemble_weights_show_the_newer_backtest_per_fold_and_member(con):
    rows = _rows(con, "select run_id, fold_id, target, member from reporting.rpt_ensemble_weights")
    assert sorted(rows) == [
        (NEWER_BACKTEST, fold, "is_loss", member) for fold in (0, 1) for member in ("lightgbm", "logistic")
    ]


def test_the_registry_lists_every_model_and_marks_exactly_the_champion(con):
    rows = _rows(con, "select model_version, is_champion from reporting.rpt_model_registry")
    assert dict(rows) == {version: version == CHAMPION for version, *_ in REGISTRY}


def test_the_dbt_tests_of_the_ml_models_pass_on_the_written_runs(empty_and_written, tmp_path):
    db = copy_warehouse(empty_and_written[0], tmp_path)
    selected = ["--select", "path:models/staging/ml", "path:models/marts/reporting"]
    assert run_dbt(["test", *selected], db).returncode == 0
