"""Demo periods outside the real market data: synthetic calendar and path, real rows only on disk."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskman.demo_firm import generate_demo_firm
from riskman.demo_firm.market import load_market
from riskman.market_data import load_arch_series
from riskman.trading_calendar import market_calendar
from tests.demo_firm.conftest import generated
from tests.demo_firm.exports import read_fills

# 2020-01-06, not 01-02: a start before 2020-01-05 reaches back (366 days) to arch's last real VIX
# closes (2019-01-02/03), and those real rows would rightly be written.
FIRM_2020 = {"traders": 4, "start": date(2020, 1, 6), "end": date(2020, 4, 30), "seed": 5}
FIRM_2007 = {"traders": 4, "start": date(2007, 1, 3), "end": date(2007, 6, 29), "seed": 5}
# The NYSE's full-day closures in the 2020 firm's period (MLK, Washington's Birthday, Good Friday).
CLOSED_2020 = {pd.Timestamp(d) for d in ("2020-01-20", "2020-02-17", "2020-04-10")}


def _digest(folder: Path) -> dict:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def firm_2020(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    return generated(tmp_path_factory, "firm2020", **FIRM_2020)


@pytest.fixture(scope="module")
def firm_2007(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    return generated(tmp_path_factory, "firm2007", **FIRM_2007)


def test_a_2020_firm_trades_on_market_days_only(firm_2020):
    out, summary = firm_2020
    assert summary["fills"] > 1000 and summary["active_trader_days"] > 100
    open_days = pd.bdate_range(FIRM_2020["start"], FIRM_2020["end"]).difference(pd.DatetimeIndex(CLOSED_2020))
    truth = pd.read_csv(out / "_truth" / "trader_days.csv", parse_dates=["date"])
    assert set(truth["date"]) <= set(open_days)
    assert len(set(truth["date"])) >= 0.9 * len(open_days)
    traded = set(read_fills(sorted(out.glob("*/fills_????-??.csv")))["date"])
    assert traded <= set(open_days) and not traded & CLOSED_2020
    assert np.isfinite(truth["vix_prev"]).all() and (truth["vix_prev"] > 0).all()


def test_a_2020_firm_writes_no_market_data(firm_2020):
    out, _ = firm_2020
    assert not (out / "market_daily.csv").exists()
    assert "market_daily.csv" not in (out / ".riskman_demo_firm").read_text(encoding="utf-8").split()
    assert not list(out.glob("*.partial")) and not list(out.glob(".*.partial"))


def test_a_2020_firm_is_deterministic(firm_2020, tmp_path):
    out, _ = firm_2020
    generate_demo_firm(tmp_path, **FIRM_2020)
    assert _digest(tmp_path) == _digest(out)


def test_a_2007_firm_writes_real_spx_and_comp_but_no_vix(firm_2007):
    out, _ = firm_2007
    market = pd.read_csv(out / "market_daily.csv")
    assert set(market["Symbol"]) == {"SPX", "COMP"}
    assert market["Date"].min() >= "2006-01-02" and market["Date"].max() <= "2007-06-29"
    spx, _, _ = load_arch_series()
    real = spx.loc["2006-01-02":"2007-06-29", "Close"].to_numpy()
    assert np.allclose(market.loc[market["Symbol"] == "SPX", "Close"].to_numpy(), real, atol=1e-4)
    truth = pd.read_csv(out / "_truth" / "trader_days.csv", parse_dates=["date"])
    assert set(truth["date"]) <= set(spx.index)  # the real S&P calendar


def test_the_holiday_rules_reproduce_the_real_calendar_but_one_off_closures():
    spx, _, _ = load_arch_series()
    synthetic = market_calendar(spx.index[0], spx.index[-1])
    one_offs = {"2001-09-11", "2001-09-12", "2001-09-13", "2001-09-14", "2004-06-11", "2007-01-02"}
    one_offs |= {"2012-10-29", "2012-10-30", "2018-12-05"}
    assert set(synthetic) - set(spx.index) == {pd.Timestamp(d) for d in one_offs}
    assert set(spx.index) <= set(synthetic)


def test_outside_the_real_data_the_path_is_a_seeded_bootstrap_of_real_returns():
    spx, _, _ = load_arch_series()
    pool = np.log(spx["Adj Close"]).diff().dropna().to_numpy()
    a = load_market(date(2021, 1, 4), date(2021, 12, 31), np.random.default_rng(1))
    b = load_market(date(2021, 1, 4), date(2021, 12, 31), np.random.default_rng(1))
    c = load_market(date(2021, 1, 4), date(2021, 12, 31), np.random.default_rng(2))
    assert np.array_equal(a.spx_return, b.spx_return) and not np.array_equal(a.spx_return, c.spx_return)
    assert np.isin(a.spx_return, pool).all() and a.synthetic.all()
    # Blocks of 20: consecutive days mostly continue a real run of returns.
    position = {value: i for i, value in enumerate(pool)}
    steps = np.diff([position[value] for value in a.spx_return])
    assert (steps == 1).mean() > 0.9
    # Across the end of the real data: real days stay real, later days are synthetic.
    mixed = load_market(date(2018, 12, 3), date(2019, 2, 28), np.random.default_rng(1))
    real = mixed.dates <= pd.Timestamp("2018-12-31")
    assert not mixed.synthetic[real].any() and mixed.synthetic[~real].all()
    log_ret = np.log(spx["Adj Close"]).diff()
    assert np.allclose(mixed.spx_return[real], log_ret.reindex(mixed.dates[real]).to_numpy())
