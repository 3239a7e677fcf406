"""Round trips → individual fills: partial fills, sides, liquidity flags, times and fees.

Prices are integer cents (the cent grid). Fees are integers in units of $0.0001 (100 per cent),
as PropReports carries them on fills; the reports round their cells to the cent (ledger.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskman.demo_firm.fills import OPEN_S, ROUTES

MAX_FILLS_PER_LEG = 4
SEC_RATE_BY_YEAR = {2015: 18.4e-6, 2016: 21.8e-6, 2017: 23.1e-6, 2018: 13.0e-6}
FEE_COLUMNS = ["Comm", "Ecn Fee", "SEC", "ORF", "CAT", "TAF", "FTT", "NSCC", "Acc", "Clr", "Misc"]
E4_PER_CENT = 100  # fee units ($0.0001) per cent
CAT_FROM_YEAR = 2017


def explode_fills(trips: pd.DataFrame, td: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One row per fill with its trader-day (`td`), trip, leg, side, qty, price and fees."""
    n = len(trips)
    carried = trips["carried"].to_numpy()
    trip_td = trips["td"].to_numpy()
    next_open = OPEN_S + rng.uniform(5, 900, n)
    legs = pd.DataFrame(
        {
            "trip": np.concatenate([np.arange(n), np.arange(n)]),
            "leg": np.repeat([0, 1], n),
            "td": np.concatenate([trip_td, np.where(carried, trip_td + 1, trip_td)]),
            "t": np.concatenate([trips["entry_s"], np.where(carried, next_open, trips["exit_s"])]),
            "price_c": np.concatenate([trips["entry_c"], trips["exit_c"]]),
            "qty": np.tile(trips["qty"].to_numpy(), 2),
            "dir": np.tile(trips["dir"].to_numpy(), 2),
            "sym": np.tile(trips["sym"].to_numpy(), 2),
            "add_liq": np.tile(trips["add_liq"].to_numpy(), 2),
        }
    )
    n_fills = np.minimum(
        legs["qty"].to_numpy(), 1 + np.minimum(rng.poisson(0.7, 2 * n), MAX_FILLS_PER_LEG - 1)
    )
    leg_of = np.repeat(np.arange(2 * n), n_fills)
    leg_start = np.concatenate([[0], np.cumsum(n_fills)[:-1]])
    j = np.arange(len(leg_of)) - leg_start[leg_of]
    # Split the leg's quantity at random cut points; zero-share pieces are dropped below.
    weight = rng.uniform(0.5, 1.5, len(leg_of))
    cum = np.cumsum(weight)
    leg_total = np.add.reduceat(weight, leg_start)
    before = cum[leg_start] - weight[leg_start]
    frac = (cum - before[leg_of]) / leg_total[leg_of]
    cut = np.round(frac * legs["qty"].to_numpy()[leg_of]).astype(np.int64)
    prev_cut = np.where(j == 0, 0, np.concatenate([[0], cut[:-1]]))
    jitter = np.where(j == 0, 0, rng.integers(-2, 3, len(leg_of)))
    gap = np.where(j == 0, 0, 1 + rng.poisson(2.0, len(leg_of)))
    f = pd.DataFrame(
        {
            "td": legs["td"].to_numpy()[leg_of],
            "trip": legs["trip"].to_numpy()[leg_of],
            "leg": legs["leg"].to_numpy()[leg_of],
            "j": j,
            "sym": legs["sym"].to_numpy()[leg_of],
            "t": np.floor(legs["t"].to_numpy()[leg_of]).astype(np.int64)
            + _group_cumsum_int(gap, leg_start, leg_of),
            "qty": cut - prev_cut,
            "price_c": np.maximum(1, legs["price_c"].to_numpy()[leg_of] + jitter),
            "dir": legs["dir"].to_numpy()[leg_of],
            "add": rng.random(len(leg_of)) < legs["add_liq"].to_numpy()[leg_of],
        }
    )
    f = f[f["qty"] > 0]
    f = f.sort_values(["td", "sym", "trip", "leg", "j"], kind="stable").reset_index(drop=True)
    _strictly_increasing_times(f)
    sides = np.array([["B", "S"], ["T", "C"]])
    f["side"] = sides[(f["dir"].to_numpy() < 0).astype(int), f["leg"].to_numpy()]
    f["liq"] = np.where(f["add"], "A", "R")
    f["route"] = ROUTES[rng.integers(0, len(ROUTES), len(f))]
    f["order_key"] = f["trip"] * 2 + f["leg"]
    return f.drop(columns=["add"])


def _group_cumsum_int(values: np.ndarray, starts: np.ndarray, group: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    return total - (total[starts] - values[starts])[group]


def _strictly_increasing_times(f: pd.DataFrame) -> None:
    """Within a trader-day and symbol, fill times in trip order rise by at least one second."""
    key = f["td"].to_numpy() * 1000 + f["sym"].to_numpy()
    rank = np.arange(len(f))
    shifted = pd.Series(f["t"].to_numpy() - rank).groupby(key).cummax().to_numpy()
    f["t"] = shifted + rank


def add_fees(f: pd.DataFrame, years: np.ndarray) -> None:
    """Per-fill fees in $0.0001: commission, ECN fee or rebate, SEC/TAF on sells, CAT, clearing."""
    qty = f["qty"].to_numpy().astype(np.int64)
    notional_c = qty * f["price_c"].to_numpy()
    sell = np.isin(f["side"].to_numpy(), ["S", "T"])
    sec_rate = np.vectorize(SEC_RATE_BY_YEAR.get)(years, 21.8e-6)
    fees = {name: np.zeros(len(f), dtype=np.int64) for name in FEE_COLUMNS}
    fees["Comm"] = 35 * qty  # $0.0035/share
    fees["Ecn Fee"] = np.where(f["liq"].to_numpy() == "A", -20 * qty, 30 * qty)  # −$0.0020 / +$0.0030
    # SEC: notional × the year's rate, rounded up to the cent.
    sec_c = np.ceil(notional_c * sec_rate - 1e-9).astype(np.int64)
    fees["SEC"] = np.where(sell, E4_PER_CENT * sec_c, 0)
    # TAF $0.000119/share (1.19 units), to 4 decimals half up, capped at $5.95.
    fees["TAF"] = np.where(sell, np.minimum(59_500, (119 * qty + 50) // 100), 0)
    # CAT $0.000035/share (0.35 units) from 2017, to 4 decimals half up.
    fees["CAT"] = np.where(years >= CAT_FROM_YEAR, (35 * qty + 50) // 100, 0)
    fees["Clr"] = 2 * qty  # $0.0002/share
    for name, values in fees.items():
        f[name] = values
