"""`--shift`: a documented behaviour change from one trading day on, for testing drift detectors.

The unshifted firm is simulated first, with the seed's own streams. The shifted firm replays the
same latent draws (latent.py), so the latent state before the shift day is the same. The shift day
and later are changed trader-days: for the shifted traders (`trader`), or for everyone
(`market`). Their trips and fills are drawn again from the shift's own streams
(SeedSequence child 9). Every other trader-day keeps the trips, fills, overnight holds and
restatement draws of the unshifted firm. So the exports before the shift day are the unshifted
firm's, byte for byte. Only firm-wide counters (Fill, Order and PropReports Ids) and running
totals move after it. See docs/demo_firm.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from riskman.demo_firm.archetypes import Trader
from riskman.demo_firm.fills import build_trips, carry_candidates
from riskman.demo_firm.latent import BehaviourShift
from riskman.demo_firm.market import Market
from riskman.demo_firm.orders import explode_fills

KINDS = ("trader", "market")
# `trader`: a change of strategy gone wrong (on tilt). These multiply the latent parameters.
TRADER = {"size": 2.0, "activity": 1.75, "spread": 1.4, "edge": 0.15}
# `market`: a high-volatility regime. The volatility factor doubles for everyone.
MARKET = {"vol": 2.0}


@dataclass(frozen=True)
class ShiftStreams:
    """The shift's own random streams (children of SeedSequence child 9 of the seed)."""

    choose: np.random.Generator
    latent: np.random.Generator
    carry: np.random.Generator
    trips: np.random.Generator
    fills: np.random.Generator
    restate: np.random.Generator


def streams(seq: np.random.SeedSequence) -> ShiftStreams:
    return ShiftStreams(*(np.random.default_rng(s) for s in seq.spawn(6)))


def shift_day(market: Market, when: date) -> int:
    """The calendar index of the first trading day on or after `when`; it must have days before."""
    day = int(np.searchsorted(market.dates, pd.Timestamp(when)))
    if day >= len(market.dates):
        raise ValueError(f"--shift {when} is after the last trading day {market.dates[-1].date()}")
    if day == 0:
        raise ValueError(
            f"--shift {when} leaves no trading day before it (first is {market.dates[0].date()})"
        )
    return day


def plan_shift(
    kind: str, day: int, n_traders: int, base_days: pd.DataFrame, rng: np.random.Generator
) -> BehaviourShift:
    """Who shifts, and how: `n_traders` of those in tenure on `day` (trader), or everyone (market)."""
    if kind not in KINDS:
        raise ValueError(f"shift kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if kind == "market":
        later = base_days.loc[base_days["day"] >= day, "trader_id"].unique()
        return BehaviourShift(day=day, traders=frozenset(later), **MARKET)
    on_day = base_days[base_days["day"] == day]
    eligible = np.sort(on_day["trader_id"].unique())
    if n_traders < 1 or n_traders > len(eligible):
        when = on_day["date"].iloc[0].date() if len(on_day) else f"calendar day {day}"
        raise ValueError(f"--shift-traders {n_traders}: {len(eligible)} traders are in tenure on {when}")
    chosen = rng.choice(eligible, size=n_traders, replace=False)
    return BehaviourShift(day=day, traders=frozenset(chosen.tolist()), **TRADER)


def changed_rows(td: pd.DataFrame, shift: BehaviourShift) -> np.ndarray:
    """The trader-days whose behaviour changed: the shifted traders' days from the shift day on."""
    return (td["trader_id"].isin(shift.traders) & (td["day"] >= shift.day)).to_numpy()


def positions(td: pd.DataFrame, keys: pd.DataFrame) -> np.ndarray:
    """Row positions in `td` of the (trader_id, day) `keys`, −1 where absent."""
    index = pd.MultiIndex.from_frame(td[["trader_id", "day"]])
    return index.get_indexer(pd.MultiIndex.from_frame(keys[["trader_id", "day"]]))


def splice_carry(
    td: pd.DataFrame,
    changed: np.ndarray,
    base_td: pd.DataFrame,
    roster: dict[str, Trader],
    rng: np.random.Generator,
) -> np.ndarray:
    """Overnight holds: the unshifted firm's on unchanged days, fresh draws on changed ones, under
    the same rules (into the next trading day on the same account, never two nights running)."""
    at = positions(base_td, td)
    assert (at[~changed] >= 0).all(), "an unchanged trader-day is missing from the unshifted firm"
    base = np.where(at >= 0, base_td["carry"].to_numpy()[np.maximum(at, 0)], False)
    same_next, p = carry_candidates(td, roster)
    fresh = same_next & (rng.random(len(td)) < p)
    raw = np.where(changed, fresh, base)
    previous = np.concatenate([[False], raw[:-1]])
    return np.where(changed, fresh & ~previous, base)


def splice_trades(
    td: pd.DataFrame,
    changed: np.ndarray,
    base_td: pd.DataFrame,
    base_trips: pd.DataFrame,
    base_fills: pd.DataFrame,
    roster: dict[str, Trader],
    prices: np.ndarray,
    rngs: ShiftStreams,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(trips, fills) of the shifted firm, indexed by `td`: the unshifted firm's on unchanged days
    (in the same order), new ones on changed days, drawn from the shift's streams."""
    in_final = positions(td, base_td)  # each unshifted trader-day's row in `td`, −1 if gone
    kept_td = (in_final >= 0) & ~changed[np.maximum(in_final, 0)]
    kept = kept_td[base_trips["td"].to_numpy()]
    trips_kept = base_trips[kept].copy()
    trips_kept["td"] = in_final[trips_kept["td"].to_numpy()]
    trip_id = np.full(len(base_trips), -1)
    trip_id[kept] = np.arange(kept.sum())

    rows = np.flatnonzero(changed)
    td_new = td.iloc[rows].reset_index(drop=True)
    # A position carried from an unchanged day into a changed one sits out that day's trading.
    held = trips_kept[trips_kept["carried"]]
    sits_out = pd.Series(held["sym"].to_numpy(), index=held["td"].to_numpy() + 1)
    td_new["sits_out"] = sits_out.reindex(rows).fillna(-1).astype(int).to_numpy()
    trips_new = build_trips(td_new, roster, prices, rngs.trips) if len(rows) else base_trips.iloc[:0]
    fills_new = explode_fills(trips_new, td_new, rngs.fills) if len(rows) else base_fills.iloc[:0]
    trips_new = trips_new.assign(td=rows[trips_new["td"].to_numpy()])

    fills_kept = base_fills[kept[base_fills["trip"].to_numpy()]].copy()
    fills_kept["td"] = in_final[fills_kept["td"].to_numpy()]  # an overnight exit may land on a changed row
    assert (fills_kept["td"] >= 0).all(), "an overnight hold closes on a day the shifted firm lacks"
    fills_kept["trip"] = trip_id[fills_kept["trip"].to_numpy()]
    fills_new = fills_new.assign(
        td=rows[fills_new["td"].to_numpy()], trip=fills_new["trip"] + len(trips_kept)
    )
    trips = pd.concat([trips_kept, trips_new], ignore_index=True)
    fills = pd.concat([fills_kept, fills_new], ignore_index=True)
    fills = fills.sort_values(["td", "sym", "trip", "leg", "j"], kind="stable").reset_index(drop=True)
    fills["order_key"] = fills["trip"] * 2 + fills["leg"]
    return trips, fills


def kept_plan(
    base_plan: list[tuple[int, int, float, int]],
    td: pd.DataFrame,
    changed: np.ndarray,
    base_td: pd.DataFrame,
) -> list[tuple[int, int, float, int]]:
    """The unshifted firm's restatements on unchanged days, re-indexed to `td` (their fills are
    the same, in the same order, so the plan's fill position still points at the same fill)."""
    at = positions(td, base_td)
    return [
        (int(at[row]), k, change, sign)
        for row, k, change, sign in base_plan
        if at[row] >= 0 and not changed[at[row]]
    ]


def describe(shift: BehaviourShift, kind: str) -> str:
    if kind == "market":
        return (
            f"High-volatility regime from the shift day on: every trader's volatility factor ×{shift.vol:g}, "
            f"so the daily P&L spread ×{shift.vol:g}, fills per day ×{np.sqrt(shift.vol):.2f} (√), "
            "shares per round trip ×1.7 and daily notional ×2.4. Skill and the market's own "
            "series (market_daily.csv, vix_prev) are unchanged."
        )
    spread = shift.size * shift.spread
    return (
        f"Change of strategy gone wrong (on tilt) from the shift day on: latent size ×{shift.size:g}, "
        f"round trips per day ×{shift.activity:g}, P&L spread ×{shift.spread:g} on top and {shift.edge:g} "
        f"scales a day less edge. So the daily P&L spread is ×{spread:g}, shares per round trip "
        f"×{spread / np.sqrt(shift.activity):.1f}, daily notional ×{spread * np.sqrt(shift.activity):.1f}, "
        f"and fills per day ×{shift.activity:g}. Bigger losses feed tilt further."
    )


def write_shift_json(
    folder: Path, shift: BehaviourShift | None, kind: str, market: Market, all_days: pd.DataFrame
) -> None:
    """`_truth/shift.json`: the first shifted trading day, the kind, who and what changed."""
    path = folder / "shift.json"
    if shift is None:
        path.unlink(missing_ok=True)
        return
    shifted = all_days[all_days["trader_id"].isin(shift.traders) & (all_days["day"] >= shift.day)]
    record = {
        "date": market.dates[shift.day].strftime("%Y-%m-%d"),
        "kind": kind,
        "traders": sorted(shift.traders),
        "accounts": sorted(shifted["account"].unique().tolist()),
        "parameters": dict(MARKET if kind == "market" else TRADER),
        "description": describe(shift, kind),
    }
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
