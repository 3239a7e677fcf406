"""Orchestration: roster → latent days → trips → fills → reports → files (+ truth, defects)."""

from __future__ import annotations

import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from riskman.demo_firm import defects as defects_mod
from riskman.demo_firm import restate, truth, writers
from riskman.demo_firm import shift as shift_mod
from riskman.demo_firm.archetypes import build_roster
from riskman.demo_firm.fills import build_trips, carry_candidates, price_paths
from riskman.demo_firm.latent import simulate_trader_days
from riskman.demo_firm.ledger import account_days, symbol_days
from riskman.demo_firm.market import LOOKBACK_DAYS, load_market
from riskman.demo_firm.orders import add_fees, explode_fills
from riskman.demo_firm.universe import load_universe
from riskman.market_data import write_market_daily

MANIFEST = ".riskman_demo_firm"


def _clean(out: Path) -> None:
    """Remove what an earlier run wrote (listed in the manifest), nothing else."""
    manifest = out / MANIFEST
    if not manifest.exists():
        return
    for name in manifest.read_text(encoding="utf-8").splitlines():
        target = out / name
        if name and target.is_dir():
            shutil.rmtree(target)
        elif name and target.exists():
            target.unlink()
    manifest.unlink()


def _carry_flags(td: pd.DataFrame, roster: dict, rng: np.random.Generator) -> np.ndarray:
    """Overnight holds only into the trader's next trading day on the same account."""
    same_next, p = carry_candidates(td, roster)
    carry = same_next & (rng.random(len(td)) < p)
    return carry & ~np.concatenate([[False], carry[:-1]])


def _carried_rows(trips: pd.DataFrame, td: pd.DataFrame, tickers: np.ndarray) -> set:
    """(account, MM/DD/YYYY, symbol) of the totals rows a position is carried out of or into."""
    carried = trips[trips["carried"]]
    keys = set()
    for shift in (0, 1):  # the entry day, and the next day on the same account where it closes
        rows = carried["td"].to_numpy() + shift
        dates = td["date"].iloc[rows].dt.strftime("%m/%d/%Y")
        accounts = td["account"].to_numpy()[rows]
        keys |= set(zip(accounts, dates, tickers[carried["sym"].to_numpy()], strict=True))
    return keys


def _assign_ids(fills: pd.DataFrame) -> pd.DataFrame:
    """Firm-wide unique, chronological Fill Id / PropReports Id / Order Id."""
    fills = fills.sort_values(["day", "t", "account", "seq"], kind="stable").reset_index(drop=True)
    fills["fill_id"] = 300000001 + np.arange(len(fills))
    fills["propreports_id"] = 7100000001 + np.arange(len(fills))
    codes, _ = pd.factorize(fills["order_key"])
    fills["order_id"] = 50000001 + codes
    return fills


def _with_days(fills: pd.DataFrame, td: pd.DataFrame) -> pd.DataFrame:
    """Fills with their trader-day's account, day, date and trader, in the exports' order."""
    fills["seq"] = np.arange(len(fills))
    for column in ("account", "day", "date", "trader_id"):
        fills[column] = td[column].to_numpy()[fills["td"].to_numpy()]
    return fills


def generate_demo_firm(
    out_dir: Path,
    traders: int = 30,
    start: date = date(2016, 1, 4),
    end: date = date(2018, 12, 31),
    seed: int = 7,
    defects: bool = False,
    shift: date | None = None,
    shift_kind: str = "trader",
    shift_traders: int = 3,
) -> dict:
    """Write a demo firm's PropReports exports to `out_dir`; same arguments, same bytes.

    `shift`: from the first trading day on or after it, `shift_traders` traders (`shift_kind`
    "trader") or everyone ("market") behave differently; `_truth/shift.json` says who and how.
    """
    out = Path(out_dir)
    # Child k of the seed's SeedSequence is the same whatever the number spawned, so adding the
    # market's stream (k = 8) and the shift's (k = 9) left the others untouched.
    children = np.random.SeedSequence(seed).spawn(10)
    rngs = [np.random.default_rng(s) for s in children[:9]]
    market = load_market(start, end, rngs[8])
    tickers, base, popularity, betas = load_universe()
    roster_list = build_roster(traders, len(market.dates), popularity, rngs[0])
    roster = {t.trader_id: t for t in roster_list}
    prices = price_paths(base, betas, market.spx_return, rngs[3])
    behaviour = None
    if shift is None:
        all_days = simulate_trader_days(roster_list, market, rngs[1])
        td = all_days[all_days["active"]].reset_index(drop=True)
        td["carry"] = _carry_flags(td, roster, rngs[2])
        trips = build_trips(td, roster, prices, rngs[4])
        fills = _with_days(explode_fills(trips, td, rngs[5]), td)
    else:
        # The unshifted firm first, on the seed's streams; then the shifted firm replays its draws.
        srngs = shift_mod.streams(children[9])
        leaves = [t.leave for t in roster_list]
        base_days = simulate_trader_days(roster_list, market, np.random.default_rng(children[1]))
        for trader, leave in zip(roster_list, leaves, strict=True):
            trader.leave = leave
        day = shift_mod.shift_day(market, shift)
        behaviour = shift_mod.plan_shift(shift_kind, day, shift_traders, base_days, srngs.choose)
        all_days = simulate_trader_days(
            roster_list, market, np.random.default_rng(children[1]), behaviour, srngs.latent
        )
        base_td = base_days[base_days["active"]].reset_index(drop=True)
        base_td["carry"] = _carry_flags(base_td, roster, rngs[2])
        base_trips = build_trips(base_td, roster, prices, rngs[4])
        base_fills = explode_fills(base_trips, base_td, rngs[5])
        td = all_days[all_days["active"]].reset_index(drop=True)
        changed = shift_mod.changed_rows(td, behaviour)
        td["carry"] = shift_mod.splice_carry(td, changed, base_td, roster, srngs.carry)
        trips, fills = shift_mod.splice_trades(
            td, changed, base_td, base_trips, base_fills, roster, prices, srngs
        )
        fills = _with_days(fills, td)
        # The unshifted firm's restatement draws, kept where the day did not change.
        base_fills = _assign_ids(_with_days(base_fills, base_td))
        base_plan = restate.plan_restatements(base_fills, base_trips, base_td.index.to_numpy(), rngs[6])
        kept_plan = shift_mod.kept_plan(base_plan, td, changed, base_td)
    add_fees(fills, fills["date"].dt.year.to_numpy())
    fills = _assign_ids(fills)
    sym = symbol_days(fills, trips)
    deposits = {
        account: int(max(25_000, round(20 * roster[trader].scale, -4))) * 100
        for account, trader in td.groupby("account")["trader_id"].first().items()
    }
    days = account_days(sym, td, deposits)

    out.mkdir(parents=True, exist_ok=True)
    _clean(out)
    written: list[Path] = []
    # Real rows only, a year before the start too, so trailing market features are warm from day
    # one. Without any real row in that range there is no file and ingest uses its offline default.
    market_file, partial = out / "market_daily.csv", out / ".market_daily.csv.partial"
    if write_market_daily(partial, start - timedelta(days=LOOKBACK_DAYS), end):
        partial.replace(market_file)
    else:
        partial.unlink()
    written += writers.write_fills(out, fills, tickers)
    blocks = writers.totals_blocks(sym, days, tickers)
    written += writers.write_totals(out, blocks, days)
    written += writers.write_summaries(out, days)
    writers.write_accounts(out, days)
    truth.write_traders_yaml(out / "traders.yaml", roster_list, days)
    if behaviour is None:
        plan = restate.plan_restatements(fills, trips, days.index.to_numpy(), rngs[6])
    else:  # the shift's own draws on the changed days
        new_rows = np.flatnonzero(changed)
        plan = sorted(
            kept_plan
            + restate.plan_restatements(fills, trips, new_rows, srngs.restate, at_least=0 if kept_plan else 1)
        )
    restatements = restate.write_restatements(out, fills, trips, sym, days, tickers, plan)
    truth_dir = out / "_truth"
    truth.write_truth(truth_dir, all_days, days, restatements, roster_list, market)
    shift_mod.write_shift_json(truth_dir, behaviour, shift_kind, market, all_days)
    carried = _carried_rows(trips, td, tickers) if defects else set()
    defect_rows = defects_mod.inject(out, restatements, carried, rngs[7]) if defects else []
    defects_mod.write_defects_csv(truth_dir, defect_rows, defects)

    # Deterministic modification times: originals at one export moment after the period,
    # corrections one day apart after it, so ingest's (mtime, path) order loads them last.
    owned = {"accounts.csv", "traders.yaml", "_truth", *days["account"]}
    owned = sorted(owned | ({market_file.name} if market_file.exists() else set()))
    base_ts = (pd.Timestamp(end) + pd.Timedelta(days=1, hours=6)).timestamp()
    for name in owned:
        paths = (out / name).rglob("*") if (out / name).is_dir() else [out / name]
        for path in paths:
            os.utime(path, (base_ts, base_ts))
    for k, paths in enumerate(restatements["paths"]):
        for path in paths:
            ts = base_ts + 86400 * (k + 1)
            os.utime(out / path, (ts, ts))
    (out / MANIFEST).write_text("\n".join(owned) + "\n", encoding="utf-8")
    os.utime(out / MANIFEST, (base_ts, base_ts))
    return {
        "out_dir": str(out),
        "traders": len(roster_list),
        "accounts": int(days["account"].nunique()),
        "fills": int(len(fills)),
        "trader_days": int(len(all_days)),
        "active_trader_days": int(len(td)),
        "files": sum(1 for p in out.rglob("*.csv") if "_truth" not in p.parts),
        "restatements": len(restatements),
        "defects": len(defect_rows),
    } | (
        {}
        if behaviour is None
        else {
            "shift": market.dates[behaviour.day].strftime("%Y-%m-%d"),
            "shift_kind": shift_kind,
            "shifted_traders": ",".join(sorted(behaviour.traders)),
        }
    )
