"""Fills → per symbol-day and per account-day totals, the way PropReports' FIFO books them.

Trips in a symbol never overlap within a day, so FIFO realises each trip exactly when its exit
leg fills: intraday trips on their day, carried trips on the next day (showing as Unrealized δ
the evening before and reversing when they realise).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskman.demo_firm.orders import FEE_COLUMNS

SOFTWARE_FEE_C = 15000  # monthly "Fee: Software & MD", charged on the month's first active day


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
    agg["fees"] = agg[FEE_COLUMNS].sum(axis=1)
    agg["net"] = agg["gross"] - agg["fees"]
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
    agg["total_delta"] = agg["net"] + agg["unreal_delta"]
    return agg.astype(np.int64)


def account_days(sym_days: pd.DataFrame, td: pd.DataFrame, deposits: dict[str, int]) -> pd.DataFrame:
    """One row per active trader-day with account-level sums, fees, transfers and balances."""
    sums = sym_days.groupby(level="td").sum()
    out = td[["trader_id", "account", "day", "date"]].join(sums, how="inner")
    month = out["date"].dt.year * 100 + out["date"].dt.month
    first_of_month = ~pd.Series(list(zip(out["account"], month, strict=True)), index=out.index).duplicated()
    out["software_fee"] = np.where(first_of_month, SOFTWARE_FEE_C, 0)
    out["adj_net"] = out["net"] - out["software_fee"]
    first_day = ~out["account"].duplicated()
    out["deposit"] = np.where(first_day, out["account"].map(deposits), 0)
    out["cash"] = (out["adj_net"] + out["deposit"]).groupby(out["account"]).cumsum()
    out["unreal_end"] = out["unreal"]
    out["end_balance"] = out["cash"] + out["unreal_end"]
    return out
