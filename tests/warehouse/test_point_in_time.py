"""The point-in-time rule: a feature row keyed (trader_id, as_of_date) uses only what was known at
the close of as_of_date. So the feature marts and the spine up to a cut-off must be the same
whether the warehouse was built from exports that stop at the cut-off or from the full history,
and whatever happens after it."""

from __future__ import annotations

from datetime import date

import pytest

from riskman.ingest import ingest_folder
from tests.compare import assert_same_rows, read, tables_in
from tests.firms import build, copy_warehouse, cut_exports

pytestmark = pytest.mark.slow
CUTOFF = "2016-03-15"
SPINE = "core.fct_trader_days"
# Idle days a departing trader keeps after his last trade in the cut exports.
DAYS_AFTER_LAST_TRADE = 3

# After the cut-off: P&L flips and grows, prices move, a day disappears, markets crash.
REWRITE_THE_FUTURE = [
    f"update raw.totals_by_date set gross = -3 * gross + 1000, net = -3 * net + 1000 "
    f"where trade_date > '{CUTOFF}'",
    f"update raw.fills set price = price * 1.1, qty = qty * 2 where trade_date > '{CUTOFF}'",
    f"delete from raw.fills where trade_date = (select min(trade_date) from raw.fills "
    f"where trade_date > '{CUTOFF}')",
    f"update raw.market_daily set close = close * 0.7 where market_date > '{CUTOFF}'",
]


def _as_of_relations(db) -> list[tuple[str, str]]:
    """Every feature mart keyed by as_of_date, and the spine keyed by trade_date."""
    features = [(f"features.{table}", "as_of_date") for table in tables_in(db, "features")]
    assert features, "no feature marts to compare"
    return [*features, (SPINE, "trade_date")]


def _assert_same_up_to(full, partial, cutoff: str) -> None:
    for relation, key in _as_of_relations(full):
        sql = f"select * from {relation} where {key} <= '{cutoff}'"
        before, after = read(full, sql), read(partial, sql)
        assert len(before) > 0, f"{relation} has no rows up to the cut-off"
        assert_same_rows(before, after, f"{relation} rows up to {cutoff}")


def test_rewriting_the_future_leaves_every_feature_row_up_to_the_cutoff_unchanged(
    tiny_built_warehouse, tmp_path
):
    changed = copy_warehouse(tiny_built_warehouse, tmp_path / "changed", *REWRITE_THE_FUTURE)
    assert build(changed, "--full-refresh")
    _assert_same_up_to(tiny_built_warehouse, changed, CUTOFF)

    future = f"select sum(net_pnl) as s from {SPINE} where trade_date > '{CUTOFF}'"
    assert read(changed, future).s[0] != read(tiny_built_warehouse, future).s[0], "the rewrite must bite"


def _departure(db) -> tuple[str, date, date]:
    """A trader who departed in the full history, his last trade, and the cut a few days after."""
    departed = read(
        db, "select trader_id, last_trade_date from core.dim_traders where trader_status = 'departed'"
    )
    assert len(departed) > 0, "the tiny firm must have a departing trader"
    trader, last_trade = departed.trader_id[0], departed.last_trade_date[0].date()
    later = read(
        db,
        f"""select trade_date from intermediate.int_calendar_days_filtered_to_trading_days
            where trade_date > '{last_trade}' order by trade_date limit {DAYS_AFTER_LAST_TRADE}""",
    )
    return trader, last_trade, later.trade_date.iloc[-1].date()


def test_a_departure_is_not_known_before_it_happens(tiny_exports, tiny_built_warehouse, tmp_path):
    """Exports cut just after a trader's last trade build the same features and spine up to the
    cut as the full history, where he turns out to have left: no survivorship, no look-ahead."""
    trader, last_trade, cutoff = _departure(tiny_built_warehouse)
    db = tmp_path / "cut.duckdb"
    assert ingest_folder(cut_exports(tiny_exports, tmp_path / "cut", cutoff), db).usable
    assert build(db)
    assert read(db, f"select max(trade_date) as d from {SPINE}").d[0].date() == cutoff

    _assert_same_up_to(tiny_built_warehouse, db, str(cutoff))
    idle = read(
        tiny_built_warehouse,
        f"select count(*) as n from {SPINE} where trader_id = '{trader}' and trade_date > '{last_trade}'"
        f" and trade_date <= '{cutoff}' and not is_active",
    )
    assert idle.n[0] == DAYS_AFTER_LAST_TRADE, "he is scored on the idle days before he is known to have left"
    labels = f"select * from labels.lbl_next_day_outcomes where target_date <= '{cutoff}'"
    assert_same_rows(read(tiny_built_warehouse, labels), read(db, labels), "labels known at the cut")


def _ancestors(parent_map: dict[str, list[str]], node: str) -> set[str]:
    seen: set[str] = set()
    pending = list(parent_map.get(node, []))
    while pending:
        parent = pending.pop()
        if parent not in seen:
            seen.add(parent)
            pending.extend(parent_map.get(parent, []))
    return seen


def test_no_feature_model_reads_a_label_model_directly_or_through_others(project_manifest):
    nodes = project_manifest["nodes"]
    models = {uid: n for uid, n in nodes.items() if n["resource_type"] == "model"}
    features = [uid for uid, n in models.items() if n["path"].startswith("marts/features/")]
    labels = {uid for uid, n in models.items() if n["path"].startswith("marts/labels/")}
    assert features and labels, "the manifest lists the feature and label models"
    parent_map = {uid: n["depends_on"]["nodes"] for uid, n in models.items()}
    reached = {uid: sorted(_ancestors(parent_map, uid) & labels) for uid in features}
    assert {uid: found for uid, found in reached.items() if found} == {}


def test_labels_describe_the_next_trading_day(tiny_built_warehouse):
    labels = read(
        tiny_built_warehouse,
        f"""
        select d.trading_day_number - a.trading_day_number as gap
        from labels.lbl_next_day_outcomes l
        join {SPINE} a on a.trader_id = l.trader_id and a.trade_date = l.as_of_date
        join {SPINE} d on d.trader_id = l.trader_id and d.trade_date = l.target_date""",
    )
    assert len(labels) > 0 and set(labels.gap) == {1}
