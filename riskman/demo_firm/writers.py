"""The PropReports export files: fills, totalsByDate, summaryByDate, accounts (docs/architecture.md §3)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from riskman.demo_firm.formatting import (
    csv_quote,
    hms,
    join_columns,
    mdy,
    paren_int,
    paren_money,
    plain_e4,
    plain_money,
)
from riskman.demo_firm.ledger import cents
from riskman.demo_firm.orders import E4_PER_CENT, FEE_COLUMNS

FILLS_HEADER = [
    "Date/Time",
    "Account",
    "B/S",
    "Qty",
    "Symbol",
    "Price",
    "Route",
    "Liq",
    *FEE_COLUMNS,
    "Order Id",
    "Fill Id",
    "Currency",
    "ISIN",
    "CUSIP",
    "Status",
    "PropReports Id",
]
TOTALS_HEADER = [
    "Symbol",
    "Orders",
    "Fills",
    "Qty",
    "Gross",
    *FEE_COLUMNS,
    "Net",
    "Unrealized δ",
    "Total δ",
    "Unrealized",
]
SUMMARY_HEADER = [
    "Date",
    "Type",
    "Orders",
    "Fills",
    "Qty",
    "Gross",
    *FEE_COLUMNS,
    "Trade Fees",
    "Net",
    "Fee: Software & MD",
    "Fee: VAT",
    "Adj Fees",
    "Adj Net",
    "Unrealized Δ",
    "Total Δ",
    "Transfer: Deposit",
    "Transfers",
    "Cash",
    "Unrealized",
    "End Balance",
]
ACCOUNTS_HEADER = [
    "Account Id",
    "Account Name",
    "First Traded",
    "Last Traded",
    "Currency",
    "Cash",
    "Unrealized",
]
# Exports from before this month come from the older PropReports layout without these columns.
LEGACY_BEFORE = pd.Timestamp("2017-01-01")
LEGACY_MISSING = ["CAT", "FTT"]


def write_lines(path: Path, lines: list[str] | np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("\n".join(lines) + "\n")


def fills_lines(fills: pd.DataFrame, tickers: np.ndarray, header: list[str]) -> np.ndarray:
    """CSV lines (no header) for fills rows, in the order given, with the columns of `header`."""
    cells = {
        "Date/Time": mdy(fills["date"], pad=True) + " " + hms(fills["t"].to_numpy()),
        "Account": fills["account"].to_numpy(dtype=object),
        "B/S": fills["side"].to_numpy(dtype=object),
        "Qty": fills["qty"].astype(str).to_numpy(dtype=object),
        "Symbol": tickers[fills["sym"].to_numpy()].astype(object),
        "Price": plain_money(fills["price_c"].to_numpy()),
        "Route": fills["route"].to_numpy(dtype=object),
        "Liq": fills["liq"].to_numpy(dtype=object),
        "Order Id": fills["order_id"].astype(str).to_numpy(dtype=object),
        "Fill Id": fills["fill_id"].astype(str).to_numpy(dtype=object),
        "Currency": np.full(len(fills), "USD", dtype=object),
        "ISIN": np.full(len(fills), "", dtype=object),
        "CUSIP": np.full(len(fills), "", dtype=object),
        "Status": np.full(len(fills), "Normal", dtype=object),
        "PropReports Id": fills["propreports_id"].astype(str).to_numpy(dtype=object),
    }
    for name in FEE_COLUMNS:
        cells[name] = plain_e4(fills[name].to_numpy())
    return join_columns([cells[h] for h in header])


def fills_header_for(month_start: pd.Timestamp) -> list[str]:
    if month_start < LEGACY_BEFORE:
        return [h for h in FILLS_HEADER if h not in LEGACY_MISSING]
    return FILLS_HEADER


def write_fills(out: Path, fills: pd.DataFrame, tickers: np.ndarray) -> list[Path]:
    """`<Account>/fills_YYYY-MM.csv`, one file per account and month with activity."""
    paths = []
    month = fills["date"].dt.to_period("M")
    legacy = (fills["date"] < LEGACY_BEFORE).to_numpy()
    lines = np.empty(len(fills), dtype=object)
    for mask in (legacy, ~legacy):
        if mask.any():
            header = fills_header_for(fills["date"][mask].iloc[0])
            lines[mask] = fills_lines(fills[mask], tickers, header)
    for (account, period), idx in fills.groupby([fills["account"], month], sort=True).indices.items():
        header = fills_header_for(period.to_timestamp())
        path = out / account / f"fills_{period.strftime('%Y-%m')}.csv"
        write_lines(path, [",".join(header), *lines[idx]])
        paths.append(path)
    return paths


def _cell_cents(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A report column in cents: exact values (fees, `*_e4`) rounded per cell, cents as they are."""
    values = frame[column].to_numpy().astype(np.int64)
    return cents(values) if column in FEE_COLUMNS or column.endswith("_e4") else values


def _totals_cells(frame: pd.DataFrame, first: np.ndarray) -> list[np.ndarray]:
    money = ["gross", *FEE_COLUMNS, "net_e4", "unreal_delta", "total_delta_e4", "unreal"]
    counts = [csv_quote(paren_int(frame[c].to_numpy())) for c in ("orders", "fills", "qty")]
    return [first, *counts, *(csv_quote(paren_money(_cell_cents(frame, c))) for c in money)]


def totals_blocks(sym_rows: pd.DataFrame, days: pd.DataFrame, tickers: np.ndarray) -> dict[int, list[str]]:
    """Text lines of each trader-day's totalsByDate block, keyed by `td`.

    Symbol rows round their own exact values; `Equities` and `Daily Total` round the exact day sums.
    """
    sym_rows = sym_rows.reset_index()
    sym_rows = sym_rows.assign(ticker=tickers[sym_rows["sym"].to_numpy()]).sort_values(["td", "ticker"])
    row_text = join_columns(_totals_cells(sym_rows, sym_rows["ticker"].to_numpy(dtype=object)))
    eq_text = join_columns(_totals_cells(days, np.full(len(days), "Equities", dtype=object)))
    fee = days["software_fee"].to_numpy()
    adjusted = days.assign(net_e4=days["adj_net_e4"], total_delta_e4=days["adj_total_e4"])
    total_text = join_columns(_totals_cells(adjusted, np.full(len(days), "Daily Total", dtype=object)))
    fee_cells = csv_quote(paren_money(-fee))
    cash_cells = csv_quote(paren_money(cents(days["cash_e4"].to_numpy())))
    unreal_cells = csv_quote(paren_money(days["unreal_end"].to_numpy()))
    date_text = mdy(days["date"], pad=False)
    blank = [""] * 15
    blocks: dict[int, list[str]] = {}
    starts = np.searchsorted(sym_rows["td"].to_numpy(), days.index.to_numpy())
    ends = np.searchsorted(sym_rows["td"].to_numpy(), days.index.to_numpy(), side="right")
    for k, td in enumerate(days.index):
        lines = [date_text[k], ",".join(TOTALS_HEADER), *row_text[starts[k] : ends[k]], eq_text[k]]
        if fee[k]:
            lines.append(",".join(["Fee: Software & MD", *blank, fee_cells[k], "", fee_cells[k], ""]))
        lines.append(total_text[k])
        lines.append(",".join(["Cash:", *blank, cash_cells[k], "", "", unreal_cells[k]]))
        blocks[td] = lines
    return blocks


def write_totals(out: Path, blocks: dict[int, list[str]], days: pd.DataFrame) -> list[Path]:
    """`<Account>/totalsByDate_YYYY-MM.csv`: the month's day blocks, one after the other."""
    paths = []
    month = days["date"].dt.to_period("M")
    for (account, period), part in days.groupby([days["account"], month], sort=True):
        path = out / account / f"totalsByDate_{period.strftime('%Y-%m')}.csv"
        write_lines(path, [line for td in part.index for line in blocks[td]])
        paths.append(path)
    return paths


SUMMARY_FLOWS = [
    "gross",
    *FEE_COLUMNS,
    "fees_e4",
    "net_e4",
    "software_fee",
    "vat",
    "software_fee",
    "adj_net_e4",
    "unreal_delta",
    "adj_total_e4",
    "deposit",
    "deposit",
]


def summary_lines(days: pd.DataFrame) -> list[str]:
    """summaryByDate rows for `days` (one account) plus the closing `Equities` totals row.

    Every money cell is its exact value rounded to the cent; the totals row rounds exact sums.
    """
    days = days.assign(vat=0, end_balance_e4=days["cash_e4"] + E4_PER_CENT * days["unreal_end"])
    total = days[["orders", "fills", "qty", *dict.fromkeys(SUMMARY_FLOWS)]].sum()
    last = days.iloc[-1]
    frame = pd.concat(
        [
            days,
            total.to_frame().T.assign(
                cash_e4=last["cash_e4"], unreal_end=last["unreal_end"], end_balance_e4=last["end_balance_e4"]
            ),
        ]
    )
    first = np.append(mdy(days["date"], pad=False), "Equities")
    kind = np.append(np.full(len(days), "Eq", dtype=object), "")
    counts = [
        frame[c].astype(np.int64).astype(str).to_numpy(dtype=object) for c in ("orders", "fills", "qty")
    ]
    money = [plain_money(_cell_cents(frame, c)) for c in SUMMARY_FLOWS]
    balances = [plain_money(_cell_cents(frame, c)) for c in ("cash_e4", "unreal_end", "end_balance_e4")]
    return list(join_columns([first, kind, *counts, *money, *balances]))


def write_summaries(out: Path, days: pd.DataFrame) -> list[Path]:
    """`<Account>/summaryByDate_YYYY.csv`."""
    paths = []
    for (account, year), part in days.groupby([days["account"], days["date"].dt.year], sort=True):
        path = out / account / f"summaryByDate_{year}.csv"
        write_lines(path, [",".join(SUMMARY_HEADER), *summary_lines(part)])
        paths.append(path)
    return paths


def write_accounts(out: Path, days: pd.DataFrame) -> pd.DataFrame:
    """`accounts.csv`: ids in order of first trade; Cash/Unrealized as of the last day."""
    by = days.groupby("account", sort=False)
    acc = pd.DataFrame(
        {
            "first": by["date"].min(),
            "last": by["date"].max(),
            "cash": by["cash_e4"].last(),
            "unreal": by["unreal_end"].last(),
        }
    ).sort_values(["first"], kind="stable")
    acc = acc.loc[sorted(acc.index, key=lambda a: (acc.loc[a, "first"], a))]
    acc["id"] = np.arange(len(acc)) + 10001
    lines = [",".join(ACCOUNTS_HEADER)]
    lines += list(
        join_columns(
            [
                acc["id"].astype(str).to_numpy(dtype=object),
                acc.index.to_numpy(dtype=object),
                mdy(acc["first"], pad=True),
                mdy(acc["last"], pad=True),
                np.full(len(acc), "USD", dtype=object),
                plain_money(cents(acc["cash"].to_numpy())),
                plain_money(acc["unreal"].to_numpy()),
            ]
        )
    )
    write_lines(out / "accounts.csv", lines)
    return acc
