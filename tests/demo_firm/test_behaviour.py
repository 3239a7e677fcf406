from __future__ import annotations

import csv

import numpy as np
import pandas as pd

from tests.demo_firm.exports import fifo_gross, read_fills, read_totals, round_cents, to_cents


def _truth(out):
    days = pd.read_csv(out / "_truth" / "trader_days.csv")
    traders = pd.read_csv(out / "_truth" / "traders.csv")
    return days.merge(traders[["trader_id", "archetype"]], on="trader_id")


def test_profitable_and_inactive_shares_are_plausible(firm):
    out, _ = firm
    days = _truth(out)
    assert 0.05 <= 1 - days["active"].mean() <= 0.3
    active = days[days["active"]]
    assert 0.35 <= (active["net_pnl"] > 0).mean() <= 0.6


def test_truth_probabilities_are_probabilities_where_defined(firm):
    out, _ = firm
    days = _truth(out)
    active = days[days["active"]]
    for column in ("p_loss", "p_loss_given_market", "p_large_loss"):
        values = active[column].dropna()
        assert ((values >= 0) & (values <= 1)).all()
    assert active["p_loss"].notna().all()
    assert days.loc[~days["active"], "p_loss"].isna().all()
    # Large-loss needs 20 earlier active days of the trader.
    early = active.groupby("trader_id").head(20)
    assert early["p_large_loss"].isna().all()
    assert abs(active["p_loss"].mean() - (active["net_pnl"] < 0).mean()) < 0.1


def test_tilter_trades_bigger_after_losing_days(firm):
    out, _ = firm
    days = _truth(out)
    tilter = days[(days["archetype"] == "tilter") & days["active"]].sort_values("date")
    fills = read_fills([p for a in tilter["account"].unique() for p in (out / a).glob("fills_????-??.csv")])
    notional = (fills["qty"] * fills["price_c"]).groupby(fills["date"]).sum()
    tilter = tilter.assign(
        notional=notional.reindex(pd.to_datetime(tilter["date"])).to_numpy(),
        after_loss=tilter["net_pnl"].shift(1) < 0,
    ).iloc[1:]
    after_loss = tilter.loc[tilter["after_loss"], "notional"].median()
    after_win = tilter.loc[~tilter["after_loss"], "notional"].median()
    assert after_loss > 1.15 * after_win


def test_defects_are_listed_and_present_on_their_lines(defect_firm):
    out, _ = defect_firm
    defects = pd.read_csv(out / "_truth" / "defects.csv")
    assert set(defects["kind"]) == {
        "duplicate_fill",
        "malformed_number",
        "truncated_file",
        "unknown_column",
        "totals_mismatch",
        "missing_day",
    }
    assert set(defects["expected"]) <= {"quarantine", "reconciliation", "kept"}
    for row in defects.itertuples():
        lines = (out / row.file).read_text(encoding="utf-8").split("\n")
        line = lines[row.line - 1]
        if row.kind == "duplicate_fill":
            assert line == lines[row.line - 2]
        elif row.kind == "malformed_number":
            header = lines[0].split(",")
            cells = next(csv.reader([line]))
            price, qty = cells[header.index("Price")], cells[header.index("Qty")]
            assert price.count(".") > 1 or not qty.isdigit()
        elif row.kind == "truncated_file":
            assert row.line == len(lines) and len(line.split(",")) < len(lines[0].split(","))
        elif row.kind == "unknown_column":
            assert line.endswith(",Tag")
        elif row.kind == "totals_mismatch":
            assert not line.startswith(("Equities", "Daily Total")) and line.count(",") >= 19
            _assert_visible_totals_mismatch(out, row)
        elif row.kind == "missing_day":
            day = line.split(" ")[0]
            totals = (out / row.file.replace("fills_", "totalsByDate_")).read_text(encoding="utf-8")
            m, d, y = (int(x) for x in day.split("/"))
            assert f"\n{m}/{d}/{y}\n" not in "\n" + totals


def _assert_visible_totals_mismatch(out, row):
    """The damaged row is flat at both ends of its day, so a flat-symbol gross check sees it."""
    totals = read_totals(out / row.file)
    lines = (out / row.file).read_text(encoding="utf-8").split("\n")
    damaged = next(csv.reader([lines[row.line - 1]]))
    hit = totals[(totals["Symbol"] == damaged[0]) & (totals["Gross"] == damaged[4])].iloc[0]
    assert to_cents(hit["Unrealized δ"]) == 0 and to_cents(hit["Unrealized"]) == 0
    fills = read_fills([out / row.file.replace("totalsByDate_", "fills_")])
    day = fills[(fills["date"] == hit["date"]) & (fills["Symbol"] == hit["Symbol"])]
    signed = day["qty"].where(day["B/S"].isin(["B", "C"]), -day["qty"])
    assert len(day) and signed.sum() == 0  # no position carried in or out
    bump = 100 * int(row.description.split(" by ")[1].split(".")[0])
    assert bump >= 10_000  # dollars, not rounding
    gross = fifo_gross(fills)[(hit["date"], hit["Symbol"])]
    assert to_cents(hit["Gross"]) == gross + bump
    assert to_cents(hit["Net"]) == round_cents(100 * gross - day["fees_e4"].sum()) + bump


def test_default_layout_without_defects_has_no_defects_file(firm):
    out, _ = firm
    assert not (out / "_truth" / "defects.csv").exists()
    assert np.isfinite(pd.read_csv(out / "_truth" / "trader_days.csv")["spread"]).all()
