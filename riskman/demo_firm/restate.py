"""Restatements: a few trader-days re-exported later with an adjusted fill price."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from riskman.demo_firm import writers
from riskman.demo_firm.ledger import day_flows, symbol_days
from riskman.demo_firm.orders import add_fees

RESTATED_SHARE = 0.002  # of active trader-days


def _candidates(trips: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """Trader-days without overnight holds on either side, so only that day changes."""
    carried_td = trips.loc[trips["carried"], "td"].to_numpy()
    touched = np.union1d(carried_td, carried_td + 1)
    return np.setdiff1d(rows, touched)


def plan_restatements(
    fills: pd.DataFrame,
    trips: pd.DataFrame,
    rows: np.ndarray,
    rng: np.random.Generator,
    at_least: int = 1,
) -> list[tuple[int, int, float, int]]:
    """The random part of the restatements among the trader-days `rows` (`td` indices of `fills`,
    which are in the exports' order): `(td, position of the adjusted fill in the day, relative
    price change, sign)`, by `td`."""
    pool = _candidates(trips, rows)
    n = min(len(pool), max(at_least, round(RESTATED_SHARE * len(rows)))) if len(pool) else 0
    chosen = np.sort(rng.choice(pool, size=n, replace=False)) if n else np.zeros(0, int)
    by_td = fills.groupby("td").indices
    plan = []
    for td in chosen:
        exits = np.flatnonzero(fills["leg"].to_numpy()[by_td[td]] == 1)
        k = int(exits[rng.integers(len(exits))])
        plan.append((int(td), k, float(rng.uniform(0.002, 0.01)), int(rng.choice([-1, 1]))))
    return plan


def write_restatements(
    out: Path,
    fills: pd.DataFrame,
    trips: pd.DataFrame,
    sym: pd.DataFrame,
    days: pd.DataFrame,
    tickers: np.ndarray,
    plan: list[tuple[int, int, float, int]],
) -> pd.DataFrame:
    """Write `<Account>/{fills,totalsByDate,summaryByDate}_<YYYY-MM-DD>_corrected.csv`."""
    by_td = fills.groupby("td").indices
    records = []
    for td, k, change, sign in plan:
        day = days.loc[td]
        part = fills.iloc[by_td[td]].copy()
        old_c = int(part["price_c"].iloc[k])
        delta = int(max(1, round(old_c * change))) * sign
        part.iloc[k, part.columns.get_loc("price_c")] = max(1, old_c + delta)
        add_fees(part, part["date"].dt.year.to_numpy())
        sym_c = symbol_days(part, trips)
        sums = sym_c.groupby(level="td").sum().rename(columns={"net_cell": "net_rows"})
        fixed = days.loc[[td]].copy()
        for column in sums.columns:
            fixed[column] = sums[column].to_numpy()
        fixed = day_flows(fixed)
        # The day's cash moves by the exact change of its net (later days are not re-exported).
        fixed["cash_e4"] += int(fixed["net_e4"].iloc[0] - day["net_e4"])
        stamp = day["date"].strftime("%Y-%m-%d")
        folder = out / day["account"]
        header = writers.fills_header_for(day["date"].to_period("M").to_timestamp())
        names = [
            f"fills_{stamp}_corrected.csv",
            f"totalsByDate_{stamp}_corrected.csv",
            f"summaryByDate_{stamp}_corrected.csv",
        ]
        writers.write_lines(
            folder / names[0], [",".join(header), *writers.fills_lines(part, tickers, header)]
        )
        writers.write_lines(folder / names[1], writers.totals_blocks(sym_c, fixed, tickers)[td])
        writers.write_lines(
            folder / names[2], [",".join(writers.SUMMARY_HEADER), *writers.summary_lines(fixed)]
        )
        records.append(
            {
                "td": td,
                "trader_id": day["trader_id"],
                "account": day["account"],
                "date": stamp,
                "fill_id": int(part["fill_id"].iloc[k]),
                "symbol": tickers[part["sym"].iloc[k]],
                "old_price": old_c / 100,
                "new_price": max(1, old_c + delta) / 100,
                # What a reader summing the symbol rows sees (Net cells are rounded per row).
                "original_gross": day["gross"] / 100,
                "corrected_gross": fixed["gross"].iloc[0] / 100,
                "original_net": day["net_rows"] / 100,
                "corrected_net": fixed["net_rows"].iloc[0] / 100,
                "paths": [f"{day['account']}/{name}" for name in names],
            }
        )
    return pd.DataFrame(
        records,
        columns=[
            "td",
            "trader_id",
            "account",
            "date",
            "fill_id",
            "symbol",
            "old_price",
            "new_price",
            "original_gross",
            "corrected_gross",
            "original_net",
            "corrected_net",
            "paths",
        ],
    )
