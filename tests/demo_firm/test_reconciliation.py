"""Fills against the reports, the PropReports way: fees exact to $0.0001 on fills, each report
cell computed from exact values and rounded half away from zero to the cent on its own."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from tests.demo_firm.exports import FEES, fifo_gross, read_fills, read_totals, round_cents, to_cents

KEY = ["date", "Symbol"]
FEES_E4 = [f"{fee}_e4" for fee in FEES]


def _account_dirs(out):
    return sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith("_"))


def _monthly(account, name):
    return sorted(account.glob(f"{name}_????-??.csv"))


def _check_symbol_rows(fills: pd.DataFrame, totals: pd.DataFrame, label: str) -> np.ndarray:
    """Assert every symbol row against its fills; return 100·(Gross − Net) − exact fees per row."""
    gross = fifo_gross(fills)
    exact = fills.groupby(KEY)[[*FEES_E4, "fees_e4"]].sum()
    counts = fills.groupby(KEY)["qty"].agg(["size", "sum"])
    assert len(totals) == len(counts), label
    slack = []
    for row in totals.to_dict("records"):
        key = (row["date"], row["Symbol"])
        where = (label, key)
        fees_e4 = int(exact.loc[key, "fees_e4"])
        assert to_cents(row["Gross"]) == gross[key], where
        for fee in FEES:
            assert to_cents(row[fee]) == round_cents(exact.loc[key, f"{fee}_e4"]), (*where, fee)
        net_e4 = 100 * gross[key] - fees_e4
        assert to_cents(row["Net"]) == round_cents(net_e4), where
        total_e4 = net_e4 + 100 * to_cents(row["Unrealized δ"])
        assert to_cents(row["Total δ"]) == round_cents(total_e4), where
        assert int(row["Fills"].replace(",", "")) == counts.loc[key, "size"], where
        assert int(row["Qty"].replace(",", "")) == counts.loc[key, "sum"], where
        slack.append(100 * (to_cents(row["Gross"]) - to_cents(row["Net"])) - fees_e4)
    return np.array(slack, dtype=np.int64)


def test_fills_reconcile_to_totals_cell_by_cell(firm):
    out, _ = firm
    checked = 0
    for account in _account_dirs(out):
        fills = read_fills(_monthly(account, "fills"))
        totals = pd.concat([read_totals(p) for p in _monthly(account, "totalsByDate")])
        checked += len(_check_symbol_rows(fills, totals, account.name))
    assert checked > 100


def test_the_demo_exercises_per_cell_rounding(firm):
    """Gross − Net misses the exact fill fees on most rows (by ≤ half a cent), more over a day."""
    out, _ = firm
    slack, day_slack, day_fee_cells = [], [], []
    for account in _account_dirs(out):
        fills = read_fills(_monthly(account, "fills"))
        totals = pd.concat([read_totals(p) for p in _monthly(account, "totalsByDate")])
        rows = _check_symbol_rows(fills, totals, account.name)
        slack.append(rows)
        days = totals["date"].to_numpy()
        day_slack.append(pd.Series(rows).groupby(days).sum().abs().to_numpy())
        exact = fills.groupby("date")["fees_e4"].sum()
        cells = pd.Series(100 * sum(totals[fee].map(to_cents) for fee in FEES).to_numpy()).groupby(days).sum()
        day_fee_cells.append((cells - exact.reindex(cells.index)).abs().to_numpy())
    slack = np.concatenate(slack)
    assert (np.abs(slack) <= 50).all()  # half a cent, in $0.0001
    assert (slack != 0).mean() > 0.5
    # Summed over a day's symbols (and fee columns) the rounding adds up to cents.
    assert np.concatenate(day_slack).max() >= 100
    assert np.concatenate(day_fee_cells).max() >= 200


def test_day_lines_and_summaries_round_the_exact_day_sums(firm):
    out, _ = firm
    checked = 0
    for account in _account_dirs(out):
        fills = read_fills(_monthly(account, "fills"))
        exact = fills.groupby("date")[[*FEES_E4, "fees_e4"]].sum()
        rows = pd.concat([read_totals(p) for p in _monthly(account, "totalsByDate")])
        gross = rows.groupby("date")["Gross"].agg(lambda c: sum(map(to_cents, c)))
        unreal_delta = rows.groupby("date")["Unrealized δ"].agg(lambda c: sum(map(to_cents, c)))
        lines = pd.concat([read_totals(p, summary_lines=True) for p in _monthly(account, "totalsByDate")])
        summary = pd.concat(pd.read_csv(p, dtype=str) for p in sorted(account.glob("summaryByDate_????.csv")))
        summary = summary[summary["Type"] == "Eq"].assign(date=lambda f: pd.to_datetime(f["Date"]))
        cash_e4 = 0
        for day in summary.to_dict("records"):
            date = day["date"]
            net_e4 = 100 * gross[date] - int(exact.loc[date, "fees_e4"])
            adj_e4 = net_e4 - 100 * to_cents(day["Fee: Software & MD"])
            equities = lines[(lines["date"] == date) & (lines["Symbol"] == "Equities")].iloc[0]
            daily = lines[(lines["date"] == date) & (lines["Symbol"] == "Daily Total")].iloc[0]
            for cells in (equities, day):
                assert to_cents(cells["Gross"]) == gross[date]
                for fee in FEES:
                    assert to_cents(cells[fee]) == round_cents(exact.loc[date, f"{fee}_e4"]), (date, fee)
                assert to_cents(cells["Net"]) == round_cents(net_e4), (account.name, date)
            assert to_cents(equities["Total δ"]) == round_cents(net_e4 + 100 * unreal_delta[date])
            assert to_cents(daily["Net"]) == round_cents(adj_e4)
            assert to_cents(daily["Total δ"]) == round_cents(adj_e4 + 100 * unreal_delta[date])
            assert to_cents(day["Trade Fees"]) == round_cents(exact.loc[date, "fees_e4"])
            assert to_cents(day["Adj Net"]) == round_cents(adj_e4)
            assert to_cents(day["Total Δ"]) == round_cents(adj_e4 + 100 * to_cents(day["Unrealized Δ"]))
            # Cash accumulates the exact deposits and Adj Net; only the cell is rounded.
            cash_e4 += 100 * to_cents(day["Transfer: Deposit"]) + adj_e4
            assert to_cents(day["Cash"]) == round_cents(cash_e4), (account.name, date)
            assert to_cents(day["End Balance"]) == round_cents(cash_e4 + 100 * to_cents(day["Unrealized"]))
            cash_line = lines[(lines["date"] == date) & (lines["Symbol"] == "Cash:")].iloc[0]
            assert to_cents(cash_line["Net"]) == to_cents(day["Cash"])
            checked += 1
    assert checked > 50


def test_overnight_holds_show_as_unrealized_and_reverse_next_day(firm):
    out, _ = firm
    holds = 0
    for account in _account_dirs(out):
        totals = pd.concat([read_totals(p) for p in _monthly(account, "totalsByDate")])
        totals = totals.sort_values("date", kind="stable")
        for row in totals[totals["Unrealized"].map(to_cents) != 0].to_dict("records"):
            later = totals[(totals["Symbol"] == row["Symbol"]) & (totals["date"] > row["date"])]
            assert to_cents(later.iloc[0]["Unrealized δ"]) == -to_cents(row["Unrealized"])
            assert to_cents(row["Unrealized δ"]) == to_cents(row["Unrealized"])
            holds += 1
    assert holds >= 1


def _net_of_symbol_rows(totals: pd.DataFrame) -> pd.Series:
    return totals.groupby("date")["Net"].agg(lambda c: sum(map(to_cents, c)))


def test_corrected_files_reconcile_and_load_after_the_originals(firm):
    out, _ = firm
    restated = pd.read_csv(out / "_truth" / "restatements.csv")
    assert len(restated) >= 1
    for row in restated.itertuples():
        folder = out / row.account
        fills = read_fills([folder / f"fills_{row.date}_corrected.csv"])
        totals = read_totals(folder / f"totalsByDate_{row.date}_corrected.csv")
        _check_symbol_rows(fills, totals, f"{row.account} {row.date} corrected")
        assert sum(fifo_gross(fills).values()) == to_cents(f"{row.corrected_gross:.2f}")
        assert _net_of_symbol_rows(totals).sum() == to_cents(f"{row.corrected_net:.2f}")
        original = pd.concat(read_totals(p) for p in _monthly(folder, "totalsByDate"))
        original = original[original["date"] == pd.Timestamp(row.date)]
        assert sum(original["Gross"].map(to_cents)) == to_cents(f"{row.original_gross:.2f}")
        assert _net_of_symbol_rows(original).sum() == to_cents(f"{row.original_net:.2f}")
        assert row.corrected_gross != row.original_gross
        original_file = folder / f"totalsByDate_{row.date[:7]}.csv"
        for name in ("fills", "totalsByDate", "summaryByDate"):
            corrected = folder / f"{name}_{row.date}_corrected.csv"
            assert os.stat(corrected).st_mtime > os.stat(original_file).st_mtime


def test_truth_net_is_the_sum_of_the_days_symbol_rows(firm):
    """What a warehouse summing symbol rows sees: originals, and corrections where restated."""
    out, _ = firm
    truth = pd.read_csv(out / "_truth" / "trader_days.csv", parse_dates=["date"])
    truth = truth[truth["active"]].set_index(["account", "date"])["net_pnl"]
    seen = {}
    for account in _account_dirs(out):
        totals = pd.concat(read_totals(p) for p in _monthly(account, "totalsByDate"))
        for path in account.glob("totalsByDate_*_corrected.csv"):
            fixed = read_totals(path)
            totals = pd.concat([totals[totals["date"] != fixed["date"].iloc[0]], fixed])
        for date, net in _net_of_symbol_rows(totals).items():
            seen[(account.name, date)] = net
    assert len(seen) == len(truth)
    for key, net in seen.items():
        assert to_cents(f"{truth.loc[key]:.2f}") == net, key
