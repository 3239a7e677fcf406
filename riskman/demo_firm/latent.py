"""Latent trader state, day by day: activity, form, tilt, size, volatility regime, net P&L.

Each trader's day net P&L is drawn from a known distribution (a two-piece Student t around a
mean that depends on skill, tilt and the real S&P 500 return, scaled by the real VIX), so the
true probability of a loss is computable exactly for `_truth/`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from riskman.demo_firm.archetypes import Trader, account_for_day
from riskman.demo_firm.market import Market

T_DOF = 4.0
_T_SD = np.sqrt(T_DOF / (T_DOF - 2.0))
TREND_CENTER = 0.8  # E|z| of a standard normal, so trend days add edge and quiet days take it


def two_piece_cdf(x: np.ndarray, up: np.ndarray) -> np.ndarray:
    """CDF of the unit-left, `up`-right two-piece standardised Student t at `x`."""
    x, up = np.broadcast_arrays(np.asarray(x, float), np.asarray(up, float))
    t_cdf = stats.t.cdf
    left = 2.0 / (1.0 + up) * t_cdf(np.minimum(x, 0.0) * _T_SD, T_DOF)
    right = 1.0 / (1.0 + up) + 2.0 * up / (1.0 + up) * (t_cdf(np.maximum(x, 0) / up * _T_SD, T_DOF) - 0.5)
    return np.where(x < 0, left, right)


def _two_piece_draw(up: float, rng: np.random.Generator) -> float:
    magnitude = abs(rng.standard_t(T_DOF)) / _T_SD
    return -magnitude if rng.random() < 1.0 / (1.0 + up) else magnitude * up


def _vacations(n: int, rng: np.random.Generator) -> np.ndarray:
    away = np.zeros(n, dtype=bool)
    for _ in range(rng.poisson(n / 120)):
        start = int(rng.integers(0, max(1, n)))
        away[start : start + int(rng.integers(2, 8))] = True
    return away


@dataclass(frozen=True)
class BehaviourShift:
    """From calendar index `day` on, the listed traders' latent parameters change (docs/demo_firm.md).

    `size` multiplies the latent size (position size, expected P&L and spread), `activity` the
    fills (round trips) per day, `spread` the P&L spread on top, `edge` is taken off the skill
    (daily mean P&L per unit of size, in scales), and `vol` multiplies the volatility factor, which
    also drives the fills per day through its square root (the market regime of `--shift-kind market`).
    """

    day: int
    traders: frozenset[str]
    size: float = 1.0
    activity: float = 1.0
    spread: float = 1.0
    edge: float = 0.0
    vol: float = 1.0


class _Draws:
    """The generator methods the latent simulation uses, each through `draw(method, *args)`."""

    def draw(self, method: str, *args: float) -> float:
        raise NotImplementedError

    def normal(self, *args: float) -> float:
        return self.draw("normal", *args)

    def random(self) -> float:
        return self.draw("random")

    def standard_t(self, dof: float) -> float:
        return self.draw("standard_t", dof)

    def exponential(self, scale: float) -> float:
        return self.draw("exponential", scale)


class _Recorder(_Draws):
    """Draws from the trader stream exactly as the unshifted firm does, and keeps a tape of them."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng, self.tape = rng, []

    def draw(self, method: str, *args: float) -> float:
        value = getattr(self.rng, method)(*args)
        self.tape.append((method, args, value))
        return value


class _Replay(_Draws):
    """The recorded draws again, day for day; past the tape (a trader the shift keeps alive longer
    than the unshifted firm did) fresh ones from the shift's own stream."""

    def __init__(self, tape: list, extension: np.random.Generator) -> None:
        self.tape, self.at, self.extension = tape, 0, extension

    def draw(self, method: str, *args: float) -> float:
        if self.at >= len(self.tape):
            return getattr(self.extension, method)(*args)
        recorded, recorded_args, value = self.tape[self.at]
        self.at += 1
        assert recorded == method, (recorded, method)  # the draw order is state-independent
        if method == "exponential" and args != recorded_args:
            return value / recorded_args[0] * args[0]  # the same draw at the shifted scale
        return value


def simulate_trader_days(
    traders: list[Trader],
    market: Market,
    rng: np.random.Generator,
    shift: BehaviourShift | None = None,
    shift_rng: np.random.Generator | None = None,
) -> pd.DataFrame:
    """One row per trader per calendar day of tenure, with state and (if active) net P&L.

    With a `shift`, the shifted traders replay the draws of the unshifted firm (so `rng` is used
    exactly as without the shift, and every day before `shift.day` is the same); from `shift.day`
    on their parameters change. `shift_rng` only extends a trader the shift keeps alive longer.
    """
    vol_ratio = market.vix_prev / market.vix_median
    mkt_sd = market.vix_prev / 100.0 / np.sqrt(252.0)
    mkt_z = market.spx_return / mkt_sd
    rows: list[dict] = []
    for trader in traders:
        span = range(trader.join, trader.leave)
        away = _vacations(len(span), rng)
        if shift is None or trader.trader_id not in shift.traders or trader.leave <= shift.day:
            rows += _trader_days(trader, span, away, rng, vol_ratio, mkt_z, market, None)
            continue
        recorder = _Recorder(rng)
        leave = trader.leave
        _trader_days(trader, span, away, recorder, vol_ratio, mkt_z, market, None)
        trader.leave = leave
        replay = _Replay(recorder.tape, shift_rng)
        rows += _trader_days(trader, span, away, replay, vol_ratio, mkt_z, market, shift)
    frame = pd.DataFrame(rows)
    frame["date"] = market.dates[frame["day"].to_numpy()]
    return frame


def _trader_days(trader, span, away, rng, vol_ratio, mkt_z, market, shift) -> list[dict]:
    """The trader's rows; `rng` is the stream, a recorder of it, or a replay (same draws in order)."""
    a = trader.archetype
    rows: list[dict] = []
    form, tilt, cum, peak = 0.0, 0.0, 0.0, 0.0
    for k, day in enumerate(span):
        shifted = shift is not None and day >= shift.day
        form = 0.97 * form + 0.05 * rng.normal()
        active = (not away[k]) and rng.random() >= a.p_inactive
        ramp = 1.0
        if a.ramp_days:
            ramp = 0.5 + min(1.5, k / a.ramp_days)
        size = max(0.25, 1.0 + a.tilt_size * tilt) * ramp
        vol = vol_ratio[day] ** a.vol_gamma
        skill = a.skill + trader.skill_offset + form
        if shifted:
            size, vol, skill = size * shift.size, vol * shift.vol, skill - shift.edge
        unit = trader.scale * size
        mu_base = unit * (skill - a.tilt_skill * tilt)
        mu_beta, mu_trend = unit * a.market_beta, unit * a.trend_beta
        spread = unit * vol * (1.0 + a.tilt_vol * tilt)
        if shifted:
            spread *= shift.spread
        row = {
            "trader_id": trader.trader_id,
            "day": day,
            "account": account_for_day(trader, day),
            "active": active,
            "skill": skill,
            "tilt": tilt,
            "size": size,
            "vol_factor": vol,
            "vix_prev": market.vix_prev[day],
            "mu_base": mu_base,
            "mu_beta": mu_beta,
            "mu_trend": mu_trend,
            "spread": spread,
            "up_skew": a.up_skew,
            "target_net": np.nan,
            "fills_target": 0.0,
            "start_offset": 0.0,
        }
        if active:
            z = mkt_z[day]
            mu = mu_base + mu_beta * z + mu_trend * (abs(z) - TREND_CENTER)
            net = mu + spread * _two_piece_draw(a.up_skew, rng)
            busy = 1.0 + a.tilt_activity * tilt
            row["target_net"] = net
            row["fills_target"] = trader.fills_per_day * busy * np.sqrt(vol) * np.exp(rng.normal(0, 0.35))
            if shifted:
                row["fills_target"] *= shift.activity
            # Tilted traders start earlier: the mean delay after the open shrinks with tilt.
            row["start_offset"] = rng.exponential(1200.0 / (1.0 + 3.0 * a.tilt_activity * tilt))
            loss = max(0.0, -net / trader.scale)
            tilt = 0.55 * tilt + (a.tilt_gain * (0.5 + 0.5 * min(loss, 3.0)) if net < 0 else 0.0)
            cum += net
            peak = max(peak, cum)
        else:
            tilt *= 0.55
        rows.append(row)
        if a.blowup_drawdown and peak - cum > a.blowup_drawdown * trader.scale:
            trader.leave = day + 1  # blew up: the desk closes the account
            break
    return rows
