from __future__ import annotations

import os

import pandas as pd

from tests.demo_firm.exports import fifo_gross, read_fills, read_totals, to_cents


def _account_dirs(out):
    return sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith("_"))


def test_fills_reconcile_to_totals_gross_and_net(firm):
    out, _ = firm
    checked = 0
    for account in _account_dirs(out):
        fills = read_fills(list(account.glob("fills_????-??.csv")))
        gross = fifo_gross(fills)
        fees = fills.groupby(["date", "Symbol"])["fees_c"].sum()
        counts = fills.groupby(["date", "Symbol"])["qty"].agg(["size", "sum"])
        totals = pd.concat([read_totals(p) for p in sorted(account.glob("totalsByDate_????-??.csv"))])
        assert len(totals) == len(counts), account.name
        for row in totals.to_dict("records"):
            key = (row["date"], row["Symbol"])
            assert to_cents(row["Gross"]) == gross[key], (account.name, key)
            assert to_cents(row["Net"]) == gross[key] - fees[key], (account.name, key)
            assert int(row["Fills"]) == counts.loc[key, "size"]
            assert to_cents(row["Qty"]) // 100 == counts.loc[key, "sum"]
            total_delta = to_cents(row["Net"]) + to_cents(row["Unrealized δ"])
            assert to_cents(row["Total δ"]) == total_delta
            checked += 1
    assert checked > 100


def test_overnight_holds_show_as_unrealized_and_reverse_next_day(firm):
    out, _ = firm
    holds = 0
    for account in _account_dirs(out):
        totals = pd.concat([read_totals(p) for p in sorted(account.glob("totalsByDate_????-??.csv"))])
        totals = totals.sort_values("date", kind="stable")
        for row in totals[totals["Unrealized"].map(to_cents) != 0].to_dict("records"):
            later = totals[(totals["Symbol"] == row["Symbol"]) & (totals["date"] > row["date"])]
            assert to_cents(later.iloc[0]["Unrealized δ"]) == -to_cents(row["Unrealized"])
            assert to_cents(row["Unrealized δ"]) == to_cents(row["Unrealized"])
            holds += 1
    assert holds >= 1


def test_corrected_files_reconcile_and_load_after_the_originals(firm):
    out, _ = firm
    restated = pd.read_csv(out / "_truth" / "restatements.csv")
    assert len(restated) >= 1
    for row in restated.itertuples():
        folder = out / row.account
        fills = read_fills([folder / f"fills_{row.date}_corrected.csv"])
        totals = read_totals(folder / f"totalsByDate_{row.date}_corrected.csv")
        gross = fifo_gross(fills)
        assert sum(gross.values()) == to_cents(f"{row.corrected_gross:.2f}")
        assert sum(totals["Gross"].map(to_cents)) == sum(gross.values())
        fees = fills["fees_c"].sum()
        assert sum(totals["Net"].map(to_cents)) == sum(gross.values()) - fees
        assert row.corrected_gross != row.original_gross
        original = folder / f"totalsByDate_{row.date[:7]}.csv"
        for name in ("fills", "totalsByDate", "summaryByDate"):
            corrected = folder / f"{name}_{row.date}_corrected.csv"
            assert os.stat(corrected).st_mtime > os.stat(original).st_mtime
