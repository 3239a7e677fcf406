"""`_truth/` (never ingested) and the firm's trader config `traders.yaml`.

True probabilities come from the generating distribution. `p_loss`/`p_large_loss` are ex ante:
they condition on everything known at the previous close (state, VIX) and integrate over the
day's S&P 500 return; `p_loss_given_market` also conditions on the day's actual market return.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.special import gamma

from riskman.demo_firm.archetypes import Trader, daily_loss_limit
from riskman.demo_firm.latent import T_DOF, TREND_CENTER, two_piece_cdf
from riskman.demo_firm.market import Market

LARGE_LOSS_WINDOW, LARGE_LOSS_MIN_DAYS, LARGE_LOSS_PERCENTILE = 120, 20, 10


def _accounts(trader: Trader) -> list[str]:
    return [trader.account_base] + ([f"{trader.account_base}_OLD"] if trader.rename_at is not None else [])


def write_traders_yaml(path: Path, traders: list[Trader], days: pd.DataFrame) -> None:
    last_day = days["day"].max() if len(days) else 0
    entries = [
        {
            "trader_id": t.trader_id,
            "name": t.name,
            "desk": t.archetype.desk,
            "accounts": _accounts(t),
            "daily_loss_limit": daily_loss_limit(t),
            "status": "active" if t.leave > last_day else "departed",
        }
        for t in traders
    ]
    text = "# The firm's trader config: identity is this mapping, not the account name.\n"
    text += yaml.safe_dump({"traders": entries}, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")


def _probability_below(x: np.ndarray, frame: pd.DataFrame) -> np.ndarray:
    """P(net ≤ x) ex ante: Gauss–Hermite over the day's standardised market return."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(40)
    weights = weights / np.sqrt(2 * np.pi)
    mu = (
        frame["mu_base"].to_numpy()[:, None]
        + frame["mu_beta"].to_numpy()[:, None] * nodes
        + frame["mu_trend"].to_numpy()[:, None] * (np.abs(nodes) - TREND_CENTER)
    )
    z = (np.asarray(x)[:, None] - mu) / frame["spread"].to_numpy()[:, None]
    return two_piece_cdf(z, frame["up_skew"].to_numpy()[:, None]) @ weights


def _thresholds(frame: pd.DataFrame) -> np.ndarray:
    """The trader's 10th percentile of net P&L over the trailing 120 active days ≤ as_of_date."""
    out = np.full(len(frame), np.nan)
    for _, idx in frame.groupby("trader_id", sort=False).indices.items():
        part = frame.iloc[idx]
        active = part["net_pnl"].notna().to_numpy()
        nets, active_days = part["net_pnl"].to_numpy()[active], part["day"].to_numpy()[active]
        known = np.searchsorted(active_days, part["day"].to_numpy() - 1, side="right")
        for row, n in enumerate(known):
            window = nets[max(0, n - LARGE_LOSS_WINDOW) : n]
            if len(window) >= LARGE_LOSS_MIN_DAYS:
                out[idx[row]] = np.percentile(window, LARGE_LOSS_PERCENTILE)
    return out


def write_truth(
    folder: Path,
    all_days: pd.DataFrame,
    days: pd.DataFrame,
    restatements: pd.DataFrame,
    traders: list[Trader],
    market: Market,
) -> pd.DataFrame:
    folder.mkdir(parents=True, exist_ok=True)
    # The day's Net as a warehouse summing the totalsByDate symbol rows sees it.
    net = days.set_index(["trader_id", "day"])["net_rows"] / 100
    for row in restatements.itertuples():
        net.loc[(row.trader_id, days.loc[row.td, "day"])] = row.corrected_net
    frame = all_days.copy()
    frame["net_pnl"] = net.reindex(pd.MultiIndex.from_frame(frame[["trader_id", "day"]])).to_numpy()
    frame["active"] = frame["net_pnl"].notna()
    frame["as_of_date"] = market.dates[np.maximum(frame["day"].to_numpy() - 1, 0)]
    frame.loc[frame["day"] == 0, "as_of_date"] = pd.NaT
    mkt_z = market.spx_return / (market.vix_prev / 100 / np.sqrt(252))
    z = mkt_z[frame["day"].to_numpy()]
    mu_actual = frame["mu_base"] + frame["mu_beta"] * z + frame["mu_trend"] * (np.abs(z) - TREND_CENTER)
    frame["expected_net"] = _probability_mean(frame)
    frame["p_loss"] = _probability_below(np.zeros(len(frame)), frame)
    frame["p_loss_given_market"] = two_piece_cdf(-mu_actual / frame["spread"], frame["up_skew"])
    frame["large_loss_threshold"] = _thresholds(frame)
    thr = frame["large_loss_threshold"].to_numpy()
    frame["p_large_loss"] = np.where(np.isnan(thr), np.nan, _probability_below(np.nan_to_num(thr), frame))
    frame["regime"] = pd.cut(frame["vix_prev"], [0, 13, 20, np.inf], labels=["calm", "normal", "stressed"])
    inactive = ~frame["active"]
    frame.loc[inactive, ["p_loss", "p_loss_given_market", "p_large_loss"]] = np.nan
    columns = [
        "trader_id",
        "account",
        "date",
        "as_of_date",
        "active",
        "skill",
        "tilt",
        "size",
        "vol_factor",
        "vix_prev",
        "regime",
        "expected_net",
        "spread",
        "net_pnl",
        "p_loss",
        "p_loss_given_market",
        "large_loss_threshold",
        "p_large_loss",
    ]
    out = frame[columns].copy()
    for column in ("date", "as_of_date"):
        out[column] = out[column].dt.strftime("%Y-%m-%d")
    # Dollars keep their cents (%.6g would round a $125,238.82 day to 125239).
    out.to_csv(folder / "trader_days.csv", index=False, float_format="%.10g", lineterminator="\n")
    _write_traders_csv(folder / "traders.csv", traders, market)
    rest = restatements.drop(columns=["td"]).assign(files=restatements["paths"].map(";".join))
    rest.drop(columns=["paths"]).to_csv(folder / "restatements.csv", index=False, lineterminator="\n")
    return out


def _probability_mean(frame: pd.DataFrame) -> np.ndarray:
    """Ex-ante expected net: the market terms average out; the skewed noise adds E|Z|·(up−1)."""
    dof = T_DOF
    e_abs_t = 2 * np.sqrt(dof) * gamma((dof + 1) / 2) / (np.sqrt(np.pi) * (dof - 1) * gamma(dof / 2))
    e_abs = e_abs_t / np.sqrt(dof / (dof - 2))
    return (frame["mu_base"] + frame["spread"] * e_abs * (frame["up_skew"] - 1.0)).to_numpy()


def _write_traders_csv(path: Path, traders: list[Trader], market: Market) -> None:
    rows = [
        {
            "trader_id": t.trader_id,
            "name": t.name,
            "archetype": t.archetype.name,
            "desk": t.archetype.desk,
            "accounts": ";".join(_accounts(t)),
            "join_date": market.dates[t.join].strftime("%Y-%m-%d"),
            "leave_date": market.dates[t.leave - 1].strftime("%Y-%m-%d"),
            "rename_date": "" if t.rename_at is None else market.dates[t.rename_at].strftime("%Y-%m-%d"),
            "scale_usd": round(t.scale, 2),
            "fills_per_day": round(t.fills_per_day, 1),
        }
        for t in traders
    ]
    pd.DataFrame(rows).to_csv(path, index=False, lineterminator="\n")
