"""Trader-days → round trips → fills, vectorised.

Trips in one symbol on one day never overlap, so FIFO and per-trip P&L agree. A trip's P&L is
the day's target split across trips (plus zero-sum noise), turned into an exit price. One trip on
some days is carried overnight and closed right after the next open (its symbol sits out that day).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskman.demo_firm.archetypes import Trader

OPEN_S, CLOSE_S = 9 * 3600 + 1800, 16 * 3600
MOVE_FRACTION = 0.004  # typical per-share move of a trip, as a share of price
FILLS_PER_TRIP = 3.4
ROUTES = np.array(["ARCA", "NSDQ", "EDGX", "BATS", "NYSE", "SMART"])


def price_paths(base: np.ndarray, betas: np.ndarray, spx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Daily reference prices (days × symbols): market beta plus idiosyncratic noise."""
    idio = rng.normal(0, 0.022, size=(len(spx), len(base)))
    log_path = np.cumsum(spx[:, None] * betas[None, :] + idio, axis=0)
    return np.maximum(base[None, :] * np.exp(log_path), 1.0)


def _group_cumsum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting at every index in `starts` (sorted, starts[0] == 0)."""
    total = np.cumsum(values)
    offsets = np.repeat(
        np.concatenate([[0.0], total[starts[1:] - 1]]), np.diff(np.append(starts, len(values)))
    )
    return total - offsets


def _choose_symbols(td: pd.DataFrame, traders: dict[str, Trader], rng: np.random.Generator):
    """Per trader-day: the symbols (universe indices), slot weights and the carried symbol."""
    slot_td, slot_sym, slot_w = [], [], []
    for trader_id, idx in td.groupby("trader_id", sort=False).indices.items():
        trader = traders[trader_id]
        universe, weights = trader.universe, np.log(trader.universe_weights)
        n = len(idx)
        keys = weights[None, :] + rng.gumbel(size=(n, len(universe)))
        carry = td["carry"].to_numpy()[idx]
        top = keys.argmax(axis=1)
        after_carry = np.flatnonzero(np.concatenate([[False], carry[:-1]]))
        keys[after_carry, top[after_carry - 1]] = -np.inf  # the carried symbol sits out
        if "sits_out" in td:  # (a shift's new days) a symbol carried in from the unchanged day before
            held = td["sits_out"].to_numpy()[idx]
            rows = np.flatnonzero(held >= 0)
            keys[rows, np.searchsorted(universe, held[rows])] = -np.inf
        order = np.argsort(-keys, axis=1, kind="stable")
        n_sym = np.clip(1 + rng.poisson(trader.archetype.symbols_mean - 1, size=n), 1, len(universe) - 1)
        for row, (i, k) in enumerate(zip(idx, n_sym, strict=True)):
            w = np.exp(rng.normal(0, 1.0, size=k))
            w[0] *= 3.0
            slot_td.append(np.full(k, i))
            slot_sym.append(universe[order[row, :k]])
            slot_w.append(w / w.sum())
    return np.concatenate(slot_td), np.concatenate(slot_sym), np.concatenate(slot_w)


def build_trips(
    td: pd.DataFrame, traders: dict[str, Trader], prices: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """Round trips for the active trader-days `td` (index 0..n-1, sorted by trader and day)."""
    slot_td, slot_sym, slot_w = _choose_symbols(td, traders, rng)
    n_td = len(td)
    n_trips = np.maximum(1, np.round(td["fills_target"].to_numpy() / FILLS_PER_TRIP)).astype(int)
    trip_td = np.repeat(np.arange(n_td), n_trips)
    # Pick each trip's slot: cumulative weights offset by the trader-day index, one searchsorted.
    slot_cum = _group_cumsum(slot_w, np.flatnonzero(np.diff(np.concatenate([[-1], slot_td]))))
    slot_edge = slot_td + np.minimum(slot_cum, 1.0 - 1e-12)
    slot = np.searchsorted(slot_edge, trip_td + rng.random(len(trip_td)), side="right")
    first = np.concatenate([[0], np.cumsum(n_trips)[:-1]])
    slot[first] = np.searchsorted(slot_td, np.arange(n_td))  # every main symbol gets a trip
    order = np.lexsort((rng.random(len(slot)), slot))
    slot = slot[order]
    trip_td = slot_td[slot]
    trips = pd.DataFrame({"td": trip_td, "slot": slot, "sym": slot_sym[slot]})

    # Timing: disjoint segments per (trader-day, symbol), denser near the open and the close.
    grp_start = np.flatnonzero(np.diff(np.concatenate([[-1], slot])))
    grp_size = np.diff(np.append(grp_start, len(slot)))
    gaps = 0.3 + rng.exponential(size=len(slot))
    cum = _group_cumsum(gaps, grp_start)
    total = np.repeat(cum[grp_start + grp_size - 1] + 0.3 + rng.exponential(size=len(grp_start)), grp_size)

    def warp(u: np.ndarray) -> np.ndarray:
        return u - 0.6 * np.sin(2 * np.pi * u) / (2 * np.pi)

    start = OPEN_S + td["start_offset"].to_numpy()[trip_td]
    end = CLOSE_S - rng.exponential(300.0, size=len(slot))
    seg_a = start + (end - start) * warp((cum - gaps) / total)
    seg_b = start + (end - start) * warp(cum / total)
    entry = seg_a + rng.uniform(0, 0.3, len(slot)) * (seg_b - seg_a)
    trips["entry_s"] = entry
    trips["exit_s"] = entry + rng.uniform(0.15, 0.9, len(slot)) * (seg_b - entry)

    # Carry: the last trip of a carry day's main symbol stays open overnight.
    last_in_grp = np.zeros(len(slot), dtype=bool)
    last_in_grp[grp_start + grp_size - 1] = True
    main_slot = np.searchsorted(slot_td, trip_td) == slot
    trips["carried"] = td["carry"].to_numpy()[trip_td] & last_in_grp & main_slot

    # Size: shares so that a trip's typical P&L is a ~0.4% move of the price.
    day = td["day"].to_numpy()[trip_td]
    ref = prices[day, trips["sym"].to_numpy()]
    k_day = n_trips[trip_td]
    spread = td["spread"].to_numpy()[trip_td]
    qty = spread / (np.sqrt(k_day) * MOVE_FRACTION * ref) * np.exp(rng.normal(0, 0.45, len(slot)))
    qty = np.minimum(qty, 3e6 / ref)
    qty = np.where(trips["carried"], qty * 0.4, qty)
    qty = np.where(
        qty >= 300, np.round(qty / 100) * 100, np.where(qty >= 20, np.round(qty / 10) * 10, np.ceil(qty))
    )
    trips["qty"] = np.maximum(qty, 1).astype(np.int64)
    trips["entry_c"] = np.maximum(100, np.round(ref * np.exp(rng.normal(0, 0.006, len(slot))) * 100)).astype(
        np.int64
    )
    short_share = np.array([traders[t].archetype.short_share for t in td["trader_id"]])[trip_td]
    trips["dir"] = np.where(rng.random(len(slot)) < short_share, -1, 1)
    add_liq = np.array([traders[t].archetype.add_liquidity for t in td["trader_id"]])[trip_td]
    trips["add_liq"] = add_liq
    _price_exits(trips, td, rng)
    return trips


def _price_exits(trips: pd.DataFrame, td: pd.DataFrame, rng: np.random.Generator) -> None:
    """Exit prices: intraday trips share the day's gross target; carried trips follow the tape."""
    q = trips["qty"].to_numpy().astype(float)
    entry = trips["entry_c"].to_numpy() / 100.0
    intraday = ~trips["carried"].to_numpy()
    tdi = trips["td"].to_numpy()
    # Expected fees per trip (both legs) so that gross − fees lands on the net target.
    fee_est = (
        q * (2 * 0.0037 + 0.0002 + 0.0119 / 100 + entry * 22e-6)
        + np.where(trips["add_liq"].to_numpy() > 0.5, -0.0004, 0.0006) * q
    )
    qn = np.where(intraday, q, 0.0)
    q_tot = np.bincount(tdi, qn, minlength=len(td))
    gross = td["target_net"].to_numpy() + np.bincount(tdi, np.where(intraday, fee_est, 0), minlength=len(td))
    share = qn / np.where(q_tot > 0, q_tot, 1.0)[tdi]
    noise = td["spread"].to_numpy()[tdi] * np.sqrt(share) * 0.9 * rng.normal(size=len(q))
    noise = np.where(intraday, noise, 0.0)
    pnl = gross[tdi] * share + noise - share * np.bincount(tdi, noise, minlength=len(td))[tdi]
    move = np.clip(pnl / q, -0.15 * entry, 0.15 * entry)
    exit_c = np.round((entry + trips["dir"].to_numpy() * move) * 100)
    mark_c = np.round(entry * np.exp(rng.normal(0, 0.01, len(q))) * 100)
    overnight_c = np.round(mark_c * np.exp(rng.normal(0, 0.012, len(q))))
    trips["exit_c"] = np.maximum(1, np.where(intraday, exit_c, overnight_c)).astype(np.int64)
    trips["mark_c"] = np.where(intraday, 0, np.maximum(1, mark_c)).astype(np.int64)


def carry_candidates(td: pd.DataFrame, roster: dict) -> tuple[np.ndarray, np.ndarray]:
    """Which trader-days may hold overnight (the trader's next trading day is the next day, on the
    same account) and each one's probability of doing so (its archetype's p_carry)."""
    same_next = (
        (td["trader_id"].shift(-1) == td["trader_id"])
        & (td["day"].shift(-1) == td["day"] + 1)
        & (td["account"].shift(-1) == td["account"])
    ).to_numpy()
    return same_next, td["trader_id"].map(lambda t: roster[t].archetype.p_carry).to_numpy()
