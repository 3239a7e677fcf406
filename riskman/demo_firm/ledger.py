"""Fills → per symbol-day and per account-day totals, the way PropReports' FIFO books them.

Trips in a symbol never overlap within a day, so FIFO realises each trip exactly when its exit
leg fills: intraday trips on their day, carried trips on the next day (showing as Unrealized δ
the evening before and reversing when they realise).

Units: gross, unrealized, transfers and the software fee are whole cents (prices sit on the cent
grid); fees and everything that contains them (`*_e4`) are exact in $0.0001. A report cell is its
exact value rounded half away from zero to the cent, independently of the other cells.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskman.demo_firm.orders import E4_PER_CENT, FEE_COLUMNS

SOFTWARE_FEE_C = 15000  # monthly "Fee: Software & MD", charged on the month's first active day
HALF_CENT_E4 = E4_PER_CENT // 2


def cents(e4) -> np.ndarray:
    """$0.0001 units → cents, rounded half away from zero (a report cell)."""
    v = np.asarray(e4, dtype=np.int64)
    return np.sign(v) * ((np.abs(v) + HALF_CENT_E4) // E4_PER_CENT)


def cash_cents(fills: pd.DataFrame) -> np.ndarray:
    sign = np.where(np.isin(fills["side"].to_numpy(), ["S", "T"]), 1, -1)
    return sign * fills["qty"].to_numpy() * fills["price_c"].to_numpy()


def symbol_days(fills: pd.DataFrame, trips: pd.DataFrame) -> pd.DataFrame:
    """One row per (td, sym): counts, fees, gross, net, unrealized δ, total δ, unrealized."""
    cash = cash_cents(fills)
    trip = fills["trip"].to_numpy()
    realize_td = (trips["td"].to_numpy() + trips["carried"].to_numpy())[trip]
    keys = pd.MultiIndex.from_arrays([fills["td"].to_numpy(), fills["sym"].to_numpy()], names=["td", "sym"])
    by_day = fills.set_index(keys)
    agg = pd.DataFrame(
        {
            "orders": by_day.groupby(level=[0, 1])["order_key"].nunique(),
            "fills": by_day.groupby(level=[0, 1]).size(),
            "qty": by_day.groupby(level=[0, 1])["qty"].sum(),
        }
    )
    for name in FEE_COLUMNS:
        agg[name] = by_day.groupby(level=[0, 1])[name].sum()
    gross = pd.Series(cash).groupby([realize_td, fills["sym"].to_numpy()]).sum()
    gross.index.names = ["td", "sym"]
    agg["gross"] = gross.reindex(agg.index, fill_value=0)
    agg["fees_e4"] = agg[FEE_COLUMNS].sum(axis=1)
    # Overnight holds: marked at the close of the entry day, reversed when they realise.
    carried = trips[trips["carried"]]
    entry_cash = (
        pd.Series(cash[fills["leg"].to_numpy() == 0]).groupby(trip[fills["leg"].to_numpy() == 0]).sum()
    )
    unreal = carried["dir"] * carried["mark_c"] * carried["qty"] + entry_cash.reindex(carried.index).fillna(0)
    agg["unreal_delta"] = 0
    agg["unreal"] = 0
    for td_shift, sign, column in ((0, 1, "unreal"), (0, 1, "unreal_delta"), (1, -1, "unreal_delta")):
        idx = pd.MultiIndex.from_arrays([carried["td"].to_numpy() + td_shift, carried["sym"].to_numpy()])
        present = idx.isin(agg.index)
        agg.loc[idx[present], column] += sign * unreal.to_numpy()[present].astype(np.int64)
    agg = agg.astype(np.int64)
    agg["net_e4"] = E4_PER_CENT * agg["gross"] - agg["fees_e4"]
    agg["total_delta_e4"] = agg["net_e4"] + E4_PER_CENT * agg["unreal_delta"]
    agg["net_cell"] = cents(agg["net_e4"])  # the Net cell of the symbol row, as written
    return agg


def day_flows(days: pd.DataFrame) -> pd.DataFrame:
    """The exact account-day flows after the software fee (cash is the caller's)."""
    adj_net = days["net_e4"] - E4_PER_CENT * days["software_fee"]
    return days.assign(adj_net_e4=adj_net, adj_total_e4=adj_net + E4_PER_CENT * days["unreal_delta"])


def account_days(sym_days: pd.DataFrame, td: pd.DataFrame, deposits: dict[str, int]) -> pd.DataFrame:
    """One row per active trader-day with account-level sums, fees, transfers and balances."""
    # Exact sums of the symbol rows; `net_rows` is the sum of their rounded Net cells.
    sums = sym_days.groupby(level="td").sum().rename(columns={"net_cell": "net_rows"})
    out = td[["trader_id", "account", "day", "date"]].join(sums, how="inner")
    month = out["date"].dt.year * 100 + out["date"].dt.month
    first_of_month = ~pd.Series(list(zip(out["account"], month, strict=True)), index=out.index).duplicated()
    out["software_fee"] = np.where(first_of_month, SOFTWARE_FEE_C, 0)
    out = day_flows(out)
    first_day = ~out["account"].duplicated()
    out["deposit"] = np.where(first_day, out["account"].map(deposits), 0).astype(np.int64)
    # Cash accumulates exact values (deposits + exact Adj Net); only its cell is rounded.
    out["cash_e4"] = (out["adj_net_e4"] + E4_PER_CENT * out["deposit"]).groupby(out["account"]).cumsum()
    out["unreal_end"] = out["unreal"]
    return out
