"""Latent trader state, day by day: activity, form, tilt, size, volatility regime, net P&L.

Each trader's day net P&L is drawn from a known distribution (a two-piece Student t around a
mean that depends on skill, tilt and the real S&P 500 return, scaled by the real VIX), so the
true probability of a loss is computable exactly for `_truth/`.
"""

from __future__ import annotations

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


def simulate_trader_days(traders: list[Trader], market: Market, rng: np.random.Generator) -> pd.DataFrame:
    """One row per trader per calendar day of tenure, with state and (if active) net P&L."""
    vol_ratio = market.vix_prev / market.vix_median
    mkt_sd = market.vix_prev / 100.0 / np.sqrt(252.0)
    mkt_z = market.spx_return / mkt_sd
    rows: list[dict] = []
    for trader in traders:
        a = trader.archetype
        span = range(trader.join, trader.leave)
        away = _vacations(len(span), rng)
        form, tilt, cum, peak = 0.0, 0.0, 0.0, 0.0
        for k, day in enumerate(span):
            form = 0.97 * form + 0.05 * rng.normal()
            active = (not away[k]) and rng.random() >= a.p_inactive
            ramp = 1.0
            if a.ramp_days:
                ramp = 0.5 + min(1.5, k / a.ramp_days)
            size = max(0.25, 1.0 + a.tilt_size * tilt) * ramp
            vol = vol_ratio[day] ** a.vol_gamma
            unit = trader.scale * size
            mu_base = unit * (a.skill + trader.skill_offset + form - a.tilt_skill * tilt)
            mu_beta, mu_trend = unit * a.market_beta, unit * a.trend_beta
            spread = unit * vol * (1.0 + a.tilt_vol * tilt)
            row = {
                "trader_id": trader.trader_id,
                "day": day,
                "account": account_for_day(trader, day),
                "active": active,
                "skill": a.skill + trader.skill_offset + form,
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
    frame = pd.DataFrame(rows)
    frame["date"] = market.dates[frame["day"].to_numpy()]
    return frame
