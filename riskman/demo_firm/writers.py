"""The PropReports export files: fills, totalsByDate, summaryByDate, accounts (§3 formats)."""

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
    plain_money,
)
from riskman.demo_firm.orders import FEE_COLUMNS

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
        cells[name] = plain_money(fills[name].to_numpy())
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


def _totals_cells(frame: pd.DataFrame, first: np.ndarray) -> list[np.ndarray]:
    money = ["gross", *FEE_COLUMNS, "net", "unreal_delta", "total_delta", "unreal"]
    counts = [csv_quote(paren_int(frame[c].to_numpy())) for c in ("orders", "fills", "qty")]
    return [first, *counts, *(csv_quote(paren_money(frame[c].to_numpy())) for c in money)]


def totals_blocks(sym_rows: pd.DataFrame, days: pd.DataFrame, tickers: np.ndarray) -> dict[int, list[str]]:
    """Text lines of each trader-day's totalsByDate block, keyed by `td`."""
    sym_rows = sym_rows.reset_index()
    sym_rows = sym_rows.assign(ticker=tickers[sym_rows["sym"].to_numpy()]).sort_values(["td", "ticker"])
    row_text = join_columns(_totals_cells(sym_rows, sym_rows["ticker"].to_numpy(dtype=object)))
    eq_text = join_columns(_totals_cells(days, np.full(len(days), "Equities", dtype=object)))
    fee = days["software_fee"].to_numpy()
    adjusted = days.assign(net=days["net"] - fee, total_delta=days["total_delta"] - fee)
    total_text = join_columns(_totals_cells(adjusted, np.full(len(days), "Daily Total", dtype=object)))
    fee_cells = csv_quote(paren_money(-fee))
    cash_cells = csv_quote(paren_money(days["cash"].to_numpy()))
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


def summary_lines(days: pd.DataFrame) -> list[str]:
    """summaryByDate rows for `days` (one account) plus the closing `Equities` totals row."""
    flows = [
        "gross",
        *FEE_COLUMNS,
        "fees",
        "net",
        "software_fee",
        "vat",
        "software_fee",
        "adj_net",
        "unreal_delta",
        "adj_total",
        "deposit",
        "deposit",
    ]
    days = days.assign(vat=0, adj_total=days["adj_net"] + days["unreal_delta"])
    total = days[["orders", "fills", "qty", *dict.fromkeys(flows)]].sum()
    last = days.iloc[-1]
    frame = pd.concat(
        [
            days,
            total.to_frame().T.assign(
                cash=last["cash"], unreal_end=last["unreal_end"], end_balance=last["end_balance"]
            ),
        ]
    )
    first = np.append(mdy(days["date"], pad=False), "Equities")
    kind = np.append(np.full(len(days), "Eq", dtype=object), "")
    counts = [
        frame[c].astype(np.int64).astype(str).to_numpy(dtype=object) for c in ("orders", "fills", "qty")
    ]
    money = [plain_money(frame[c].to_numpy().astype(np.int64)) for c in flows]
    balances = [
        plain_money(frame[c].to_numpy().astype(np.int64)) for c in ("cash", "unreal_end", "end_balance")
    ]
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
            "cash": by["cash"].last(),
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
                plain_money(acc["cash"].to_numpy()),
                plain_money(acc["unreal"].to_numpy()),
            ]
        )
    )
    write_lines(out / "accounts.csv", lines)
    return acc
