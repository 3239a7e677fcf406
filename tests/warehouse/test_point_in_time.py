"""The point-in-time rule: a feature row keyed (trader_id, as_of_date) uses only what was known at
the close of as_of_date. Rewriting everything dated after a cut-off must leave every feature row
(and every core trader-day) up to the cut-off exactly as it was."""

from __future__ import annotations

import duckdb
import pytest

from tests.warehouse.conftest import build, copy_warehouse, read, same_rows, tables_in

pytestmark = pytest.mark.slow
CUTOFF = "2016-03-15"

# After the cut-off: P&L flips and grows, prices move, a day disappears, markets crash.
REWRITE_THE_FUTURE = [
    f"update raw.totals_by_date set gross = -3 * gross + 1000, net = -3 * net + 1000 "
    f"where trade_date > '{CUTOFF}'",
    f"update raw.fills set price = price * 1.1, qty = qty * 2 where trade_date > '{CUTOFF}'",
    f"delete from raw.fills where trade_date = (select min(trade_date) from raw.fills "
    f"where trade_date > '{CUTOFF}')",
    f"update raw.market_daily set close = close * 0.7 where market_date > '{CUTOFF}'",
]


def _rewrite_future(db) -> None:
    with duckdb.connect(str(db)) as con:
        for statement in REWRITE_THE_FUTURE:
            con.execute(statement)


def test_rewriting_the_future_leaves_every_feature_row_up_to_the_cutoff_unchanged(built_warehouse, tmp_path):
    changed = copy_warehouse(built_warehouse, tmp_path / "changed")
    _rewrite_future(changed)
    assert build(changed, "--full-refresh")

    checked = [f"features.{table}" for table in tables_in(built_warehouse, "features")]
    checked.append("core.fct_trader_days")
    for relation in checked:
        key = "trade_date" if relation == "core.fct_trader_days" else "as_of_date"
        before = read(built_warehouse, f"select * from {relation} where {key} <= '{CUTOFF}'")
        after = read(changed, f"select * from {relation} where {key} <= '{CUTOFF}'")
        assert len(before) > 0, f"{relation} has no rows up to the cut-off"
        assert same_rows(before, after), f"{relation} rows up to {CUTOFF} changed with the future"

    later = read(changed, f"select sum(net_pnl) as s from core.fct_trader_days where trade_date > '{CUTOFF}'")
    original = read(
        built_warehouse, f"select sum(net_pnl) as s from core.fct_trader_days where trade_date > '{CUTOFF}'"
    )
    assert later.s[0] != original.s[0], "the rewrite must really change the future"


def test_labels_describe_the_next_day_and_never_feed_features(built_warehouse):
    labels = read(
        built_warehouse,
        """
        select l.as_of_date, l.target_date, d.trading_day_number - a.trading_day_number as gap
        from labels.lbl_next_day_outcomes l
        join core.fct_trader_days a on a.trader_id = l.trader_id and a.trade_date = l.as_of_date
        join core.fct_trader_days d on d.trader_id = l.trader_id and d.trade_date = l.target_date""",
    )
    assert len(labels) > 0 and set(labels.gap) == {1}
    feature_sql = read(
        built_warehouse,
        """
        select count(*) as n from duckdb_views() where schema_name = 'features' and sql like '%lbl_%'""",
    )
    assert feature_sql.n[0] == 0
