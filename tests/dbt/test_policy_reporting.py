"""The reporting views over the policy backtest's tables (marts/reporting/rpt_policy_*): empty but
queryable on a fresh build, and, once two policy-backtest runs are written, showing only the
newer run's rows, with the firm's daily sums, cumulative P&L and drawdown, the metrics pivoted per
policy and the size changes per trader computed right.

The views read the ml tables live, so rows inserted after the build show without another dbt run.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest

from riskman.dbt import run_dbt
from tests.firms import copy_warehouse

pytestmark = pytest.mark.slow

VIEWS = ("rpt_policy_comparison", "rpt_policy_firm_daily", "rpt_policy_trader_contribution")

# The run ids sort against the finish times, so only finished_at can tell which run is the latest.
OLDER, NEWER = "policy-b-older", "policy-a-newer"
FINISHED = {OLDER: datetime(2016, 5, 1, 8, tzinfo=UTC), NEWER: datetime(2016, 5, 2, 8, tzinfo=UTC)}
NONE, RULE = "no_intervention", "trailing_loss_rate"
POLICIES = {NONE: ("none", "every trader at normal size"), RULE: ("rule", "cut after losses")}
GHOST = "ZZ-not-in-dim-traders"  # a trader dim_traders does not know: no name, no desk
DAILY_COLUMNS = (
    "run_id, policy, trader_id, target_date, size, pnl_usd, unsized_pnl_usd, fees_usd, change_cost_usd"
)
DAYS = [date(2016, 4, 25), date(2016, 4, 26), date(2016, 4, 27), date(2016, 4, 28)]

METRICS = (
    "total_pnl_usd",
    "sharpe",
    "sortino",
    "calmar",
    "annual_volatility",
    "max_drawdown_usd",
    "max_drawdown_pct_capital",
    "longest_days_under_water",
    "hit_rate",
    "saved_on_loss_days_usd",
    "forgone_on_win_days_usd",
    "fees_usd",
    "change_cost_usd",
)


def _trader_days(first: str, second: str) -> list[tuple[str, int, float, float]]:
    """(trader, day index, size, unsized P&L) of the rule policy in the newer run; pnl = size × unsized.

    `first` goes 1 → 0.5 → 0.5 → 1 (changes on days 2 and 4: 2); `second` starts at 0.5 (a change
    from the normal size), skips day 3 and ends at 0.25 (2 changes); the ghost trades once at 1.
    """
    return [
        (first, 0, 1.0, 100.0),
        (first, 1, 0.5, -400.0),
        (first, 2, 0.5, -200.0),
        (first, 3, 1.0, 500.0),
        (second, 0, 0.5, -100.0),
        (second, 1, 0.5, 60.0),
        (second, 3, 0.25, -100.0),
        (GHOST, 0, 1.0, -30.0),
    ]


# The firm's day under each policy of the newer run, by hand from _trader_days:
# (pnl, unsized pnl, cumulative, drawdown, traders, mean size). No intervention loses on its first
# day, so its peak stays at 0 and every cumulative loss is drawdown.
FIRM_DAILY = {
    RULE: [
        (20.0, -30.0, 20.0, 0.0, 3, 2.5 / 3),
        (-170.0, -340.0, -150.0, -170.0, 2, 0.5),
        (-100.0, -200.0, -250.0, -270.0, 1, 0.5),
        (475.0, 400.0, 225.0, 0.0, 2, 0.625),
    ],
    NONE: [
        (-30.0, -30.0, -30.0, -30.0, 3, 1.0),
        (-340.0, -340.0, -370.0, -370.0, 2, 1.0),
        (-200.0, -200.0, -570.0, -570.0, 1, 1.0),
        (400.0, 400.0, -170.0, -170.0, 2, 1.0),
    ],
}


def _metric_value(run: str, policy: str, trader: str | None, index: int) -> float:
    """Distinct per run, policy, scope and metric, so a wrong pivot or filter shows."""
    return index + (100 if policy == RULE else 0) + (0.5 if trader else 0) + (1000 if run == OLDER else 0)


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple], columns: str = "") -> None:
    """Insert `rows` into ml.`table`, into `columns` (comma-separated) when given, else every column."""
    marks = ", ".join("?" * len(rows[0]))
    into = f" ({columns})" if columns else ""
    con.executemany(f"insert into ml.{table}{into} values ({marks})", rows)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def _approx(rows: list[tuple]) -> list[tuple]:
    """The rows with every float compared approximately (sums of doubles), the rest exactly."""
    return [tuple(pytest.approx(v) if isinstance(v, float) else v for v in row) for row in rows]


@pytest.fixture(scope="module")
def empty_and_written(tiny_built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    """The built tiny firm copied, the views' row counts before any policy-backtest row is written,
    then the two synthetic runs written; yields (copy, counts before, the two real traders)."""
    db = copy_warehouse(tiny_built_warehouse, tmp_path_factory.mktemp("policy_reporting"))
    with duckdb.connect(str(db)) as con:
        before = {view: _rows(con, f"select count(*) from reporting.{view}")[0][0] for view in VIEWS}
        first, second = (
            row[0] for row in _rows(con, "select trader_id from core.dim_traders order by 1 limit 2")
        )
        _insert(
            con,
            "backtest_runs",
            [(run, "backtest-x", finished, finished, 1e6, "synthetic") for run, finished in FINISHED.items()],
            "run_id, predictions_run_id, started_at, finished_at, capital_usd, verdict",
        )
        policies = [(run, policy, *POLICIES[policy]) for run in FINISHED for policy in POLICIES]
        policies.append((OLDER, "older_only_policy", "model", "only in the older run"))
        _insert(con, "backtest_policies", policies, "run_id, policy, family, description")

        daily = []
        for trader, day, size, unsized in _trader_days(first, second):
            daily.append((NEWER, RULE, trader, DAYS[day], size, size * unsized, unsized, 1.0, 0.0))
            daily.append((NEWER, NONE, trader, DAYS[day], 1.0, unsized, unsized, 2.0, 0.0))
            # The older run replayed the same days differently, and one more day: none of it may show.
            for policy in POLICIES:
                daily.append((OLDER, policy, trader, DAYS[day], 0.1, 999.0, unsized, 0.0, 0.0))
        daily.append((OLDER, RULE, first, date(2016, 4, 29), 0.1, 999.0, 1.0, 0.0, 0.0))
        _insert(con, "backtest_daily", daily, DAILY_COLUMNS)

        metrics = [
            (run, policy, trader, metric, _metric_value(run, policy, trader, index))
            for run in FINISHED
            for policy in POLICIES
            for trader in (None, first)
            for index, metric in enumerate(METRICS)
            # No intervention changes no size: its run wrote no change cost, which stays null.
            if not (policy == NONE and metric == "change_cost_usd")
        ]
        _insert(con, "backtest_metrics", metrics, "run_id, policy, trader_id, metric, value")
        _insert(
            con,
            "backtest_comparisons",
            [
                (NEWER, RULE, NONE, "sharpe", 0.4, 0.1, 0.7, 0.95),
                (NEWER, RULE, NONE, "total_pnl_usd", 505.0, -100.0, 1100.0, 0.95),
                (NEWER, RULE, NONE, "calmar", 7.0, 7.0, 7.0, 0.95),  # not a column of the view
                (NEWER, RULE, "another_policy", "sharpe", 9.0, 9.0, 9.0, 0.95),  # not versus none
                (OLDER, RULE, NONE, "sharpe", -5.0, -6.0, -4.0, 0.95),
                (OLDER, RULE, NONE, "total_pnl_usd", -5.0, -6.0, -4.0, 0.95),
            ],
            "run_id, policy, versus, metric, difference, ci_low, ci_high, level",
        )
    yield db, before, (first, second)


@pytest.fixture
def con(empty_and_written):
    with duckdb.connect(str(empty_and_written[0]), read_only=True) as connection:
        yield connection


def test_the_views_are_built_and_empty_before_any_policy_backtest(empty_and_written):
    _, before, _ = empty_and_written
    assert before == dict.fromkeys(VIEWS, 0)


def test_the_latest_run_is_the_one_that_finished_last(con):
    rows = _rows(con, "select run_id, finished_at from intermediate.int_backtest_runs_filtered_to_latest")
    assert rows == [(NEWER, FINISHED[NEWER])]


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_shows_only_the_newer_run(con, view):
    assert _rows(con, f"select distinct run_id from reporting.{view}") == [(NEWER,)]


def test_the_comparison_pivots_the_firm_metrics_and_the_differences_versus_no_intervention(con):
    columns = ", ".join(METRICS)
    rows = _rows(
        con,
        f"""select run_id, run_finished_at, policy, family, description, {columns},
                   sharpe_difference_vs_none, sharpe_difference_ci_low, sharpe_difference_ci_high,
                   total_pnl_difference_vs_none, total_pnl_difference_ci_low, total_pnl_difference_ci_high
            from reporting.rpt_policy_comparison order by policy""",
    )
    expected = []
    for policy in sorted(POLICIES):
        firm = [_metric_value(NEWER, policy, None, index) for index in range(len(METRICS))]
        if policy == NONE:
            firm[METRICS.index("change_cost_usd")] = None
        versus_none = (0.4, 0.1, 0.7, 505.0, -100.0, 1100.0) if policy == RULE else (None,) * 6
        expected.append((NEWER, FINISHED[NEWER], policy, *POLICIES[policy], *firm, *versus_none))
    assert rows == expected


def test_the_firm_daily_sums_accumulates_and_draws_down_by_policy(con):
    rows = _rows(
        con,
        """select policy, target_date, pnl_usd, unsized_pnl_usd, cumulative_pnl_usd, drawdown_usd,
                  traders_count, mean_size
           from reporting.rpt_policy_firm_daily order by policy, target_date""",
    )
    expected = [
        (policy, day, *values)
        for policy in sorted(FIRM_DAILY)
        for day, values in zip(DAYS, FIRM_DAILY[policy], strict=True)
    ]
    assert rows == _approx(expected)
    assert all(row[5] <= 0 for row in rows)


def test_the_trader_contribution_totals_and_counts_the_size_changes(con, empty_and_written):
    first, second = empty_and_written[2]
    rows = _rows(
        con,
        """select c.policy, c.trader_id, c.total_pnl_usd, c.total_unsized_pnl_usd, c.pnl_difference_usd,
                  c.days_count, c.mean_size, c.size_changes_count,
                  c.trader_name is not distinct from t.trader_name and c.desk is not distinct from t.desk,
                  c.trader_name is null
           from reporting.rpt_policy_trader_contribution as c
           left join core.dim_traders as t on c.trader_id = t.trader_id
           order by c.policy, c.trader_id""",
    )
    # (pnl, unsized, difference, days, mean size, size changes), by hand from _trader_days.
    expected = {
        (NONE, first): (0.0, 0.0, 0.0, 4, 1.0, 0),
        (NONE, second): (-140.0, -140.0, 0.0, 3, 1.0, 0),
        (NONE, GHOST): (-30.0, -30.0, 0.0, 1, 1.0, 0),
        (RULE, first): (300.0, 0.0, 300.0, 4, 0.75, 2),
        (RULE, second): (-45.0, -140.0, 95.0, 3, 1.25 / 3, 2),
        (RULE, GHOST): (-30.0, -30.0, 0.0, 1, 1.0, 0),
    }
    assert [row[:8] for row in rows] == _approx([(*key, *expected[key]) for key in sorted(expected)])
    # Name and desk come from dim_traders; the trader it does not know has neither.
    assert all(row[8] for row in rows), rows
    assert {row[1] for row in rows if row[9]} == {GHOST}


def test_the_dbt_tests_of_the_policy_models_pass_on_the_written_runs(empty_and_written, tmp_path):
    db = copy_warehouse(empty_and_written[0], tmp_path)
    selected = ["--select", "stg_ml__backtest_runs+", "stg_ml__backtest_policies+", "stg_ml__backtest_daily+"]
    selected += ["stg_ml__backtest_metrics+", "stg_ml__backtest_comparisons+"]
    assert run_dbt(["test", *selected], db).returncode == 0
