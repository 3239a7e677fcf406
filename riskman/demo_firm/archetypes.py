"""Trader archetypes and the firm's roster: who trades, how big, when they join and leave."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Archetype:
    """Behavioural parameters; P&L figures are in units of the trader's daily dollar scale."""

    name: str
    desk: str
    skill: float  # mean daily P&L / scale at normal size and no tilt
    up_skew: float  # right-tail width relative to the left (two-piece Student t)
    vol_gamma: float  # how strongly VIX (previous close) scales the day's P&L spread
    market_beta: float  # P&L loading on the day's S&P 500 return (in market-sd units)
    trend_beta: float  # P&L loading on |S&P return| (momentum traders like big days)
    tilt_gain: float  # how much a losing day adds to tilt
    tilt_size: float  # size multiplier slope on tilt (>0 tilts up, <0 disciplined cut)
    tilt_skill: float  # edge lost per unit of tilt
    tilt_vol: float  # extra spread per unit of tilt
    tilt_activity: float  # extra fills per unit of tilt
    fills_median: float  # fills on a typical day
    scale_median: float  # typical daily P&L spread in USD
    symbols_mean: float  # symbols traded on a typical day
    p_inactive: float
    p_carry: float  # chance of holding one position overnight
    short_share: float
    add_liquidity: float  # share of fills that add liquidity (ECN rebate)
    ramp_days: float = 0.0  # newcomers size up over their first weeks
    blowup_drawdown: float = 0.0  # leaves after losing this many scales (0 = never)


ARCHETYPES = {
    a.name: a
    for a in [
        Archetype(
            "veteran",
            "Equities NY",
            0.05,
            1.08,
            0.6,
            0.0,
            0.1,
            0.25,
            -0.35,
            0.05,
            0.0,
            0.0,
            45,
            9000,
            5,
            0.10,
            0.04,
            0.45,
            0.55,
        ),
        Archetype(
            "tilter",
            "Equities NY",
            0.0,
            1.05,
            0.8,
            0.1,
            0.0,
            1.0,
            0.7,
            0.12,
            0.2,
            0.8,
            35,
            3000,
            4,
            0.12,
            0.02,
            0.4,
            0.4,
        ),
        Archetype(
            "scalper",
            "Scalping",
            0.06,
            1.0,
            0.5,
            0.0,
            0.0,
            0.3,
            0.0,
            0.1,
            0.0,
            0.1,
            130,
            2500,
            3,
            0.11,
            0.0,
            0.5,
            0.75,
        ),
        Archetype(
            "momentum",
            "Momentum",
            -0.05,
            1.25,
            0.9,
            0.15,
            0.45,
            0.4,
            0.1,
            0.1,
            0.1,
            0.2,
            25,
            5000,
            6,
            0.14,
            0.06,
            0.35,
            0.3,
        ),
        Archetype(
            "gambler",
            "Momentum",
            -0.1,
            1.35,
            1.1,
            0.5,
            0.2,
            0.5,
            0.3,
            0.1,
            0.3,
            0.3,
            14,
            6000,
            3,
            0.17,
            0.08,
            0.45,
            0.25,
        ),
        Archetype(
            "newcomer",
            "Trainees",
            -0.07,
            1.0,
            0.9,
            0.1,
            0.0,
            0.8,
            0.7,
            0.3,
            0.3,
            0.5,
            11,
            700,
            3,
            0.10,
            0.01,
            0.45,
            0.35,
            ramp_days=30,
            blowup_drawdown=30,
        ),
    ]
}

# Small firms still get the interesting cases first (tests use 3-4 traders).
_ORDER = [
    "veteran",
    "tilter",
    "scalper",
    "newcomer",
    "momentum",
    "gambler",
    "scalper",
    "veteran",
    "momentum",
    "tilter",
    "newcomer",
    "scalper",
    "gambler",
    "momentum",
]

_FIRST = [
    "James",
    "Maria",
    "Wei",
    "Olga",
    "Raj",
    "Sofia",
    "Daniel",
    "Aisha",
    "Tom",
    "Elena",
    "Kenji",
    "Lucia",
    "Marcus",
    "Priya",
    "Igor",
    "Hannah",
    "Diego",
    "Fatima",
    "Sam",
    "Nina",
    "Victor",
    "Chloe",
    "Omar",
    "Greta",
    "Luca",
    "Mei",
    "Ben",
    "Zoe",
    "Ivan",
    "Leah",
]
_LAST = [
    "Smith",
    "Garcia",
    "Chen",
    "Petrova",
    "Patel",
    "Rossi",
    "Cohen",
    "Khan",
    "Baker",
    "Novak",
    "Tanaka",
    "Silva",
    "Reed",
    "Shah",
    "Volkov",
    "Muller",
    "Ortiz",
    "Haddad",
    "Ward",
    "Berg",
    "Klein",
    "Dubois",
    "Nasser",
    "Lind",
    "Ferri",
    "Wong",
    "Hart",
    "Lopez",
]


@dataclass
class Trader:
    trader_id: str
    name: str
    archetype: Archetype
    scale: float  # daily P&L spread in USD at size 1
    fills_per_day: float
    skill_offset: float
    join: int  # index into the calendar (first possible trading day)
    leave: int  # index one past the last possible trading day
    rename_at: int | None  # calendar index where `NAME_OLD` stops and `NAME` starts
    account_base: str
    universe: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    universe_weights: np.ndarray = field(default_factory=lambda: np.zeros(0))


def build_roster(n: int, n_days: int, popularity: np.ndarray, rng: np.random.Generator) -> list[Trader]:
    """`n` traders with archetypes, scales spanning orders of magnitude, tenures and renames."""
    traders = []
    used_names: set[str] = set()
    for i in range(n):
        arche = ARCHETYPES[_ORDER[i % len(_ORDER)]]
        first, last = _FIRST[rng.integers(len(_FIRST))], _LAST[rng.integers(len(_LAST))]
        while f"{first} {last}" in used_names:
            last = _LAST[rng.integers(len(_LAST))]
        used_names.add(f"{first} {last}")
        scale = arche.scale_median * float(np.exp(rng.normal(0, 0.9)))
        fills = arche.fills_median * float(np.exp(rng.normal(0, 0.45)))
        # Tenure: most traders are there from the start; later hires and departures over time.
        join = 0 if (i < 3 or rng.random() < 0.55) else int(rng.integers(0, max(1, n_days * 2 // 3)))
        leave = n_days
        if arche.name != "newcomer" and i >= 3 and rng.random() < 0.25:
            leave = int(rng.integers(min(n_days, join + 60), n_days + 1))
        rename_at = None
        if leave - join > 120 and rng.random() < 0.2:
            rename_at = int(rng.integers(join + 40, leave - 40))
        base = f"{first[0]}{last[:3]}{100 + i}".upper()
        k = int(np.clip(rng.normal(45, 20), 12, len(popularity)))
        p = popularity / popularity.sum()
        universe = np.sort(rng.choice(len(popularity), size=k, replace=False, p=p))
        if 0 not in universe:  # everyone trades TSLA sometimes
            universe = np.sort(np.append(universe[1:], 0))
        weights = popularity[universe] * np.exp(rng.normal(0, 0.8, size=k))
        traders.append(
            Trader(
                trader_id=f"T{i + 1:03d}",
                name=f"{first} {last}",
                archetype=arche,
                scale=scale,
                fills_per_day=fills,
                skill_offset=float(rng.normal(-0.04, 0.04)),
                join=join,
                leave=leave,
                rename_at=rename_at,
                account_base=base,
                universe=universe,
                universe_weights=weights,
            )
        )
    return traders


def account_for_day(trader: Trader, day: int) -> str:
    """The account the trader uses on calendar index `day`."""
    if trader.rename_at is not None and day < trader.rename_at:
        return f"{trader.account_base}_OLD"
    return trader.account_base


def daily_loss_limit(trader: Trader) -> int:
    return int(max(500, round(2.5 * trader.scale / 500) * 500))
