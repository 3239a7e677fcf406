"""`--shift`: a documented behaviour change from one trading day on, against the unshifted firm.

One small firm (5 traders, Oct 2016 – Jan 2017, seed 26), unshifted and shifted on 2016-12-14 in
both kinds. The seed is chosen so that the awkward paths are covered. The trader shift picks the
newcomer, who then blows up earlier. The market shift carries positions from the last unchanged
day into the shift day, and it keeps the newcomer alive longer (past the unshifted firm's draws).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from riskman.cli import app
from riskman.demo_firm import generate_demo_firm
from riskman.demo_firm.archetypes import build_roster
from riskman.demo_firm.fills import build_trips, price_paths
from riskman.demo_firm.universe import load_universe
from tests.demo_firm import test_reconciliation as reconciliation
from tests.demo_firm.conftest import generated
from tests.demo_firm.exports import read_fills, read_totals, to_cents

FIRM = {"traders": 5, "start": date(2016, 10, 3), "end": date(2017, 1, 31), "seed": 26}
SHIFT = date(2016, 12, 14)
DAY = pd.Timestamp(SHIFT)
MONTH_BEFORE = f"{DAY.to_period('M') - 1}"  # 2016-11
IDS = ["Order Id", "Fill Id", "PropReports Id"]  # firm-wide counters: they move after the shift


@pytest.fixture(scope="module")
def firms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict]]:
    return {
        "none": generated(tmp_path_factory, "unshifted", **FIRM),
        "trader": generated(tmp_path_factory, "trader", **FIRM, shift=SHIFT, shift_traders=2),
        "market": generated(tmp_path_factory, "market", **FIRM, shift=SHIFT, shift_kind="market"),
    }


def _shift(out: Path) -> dict:
    return json.loads((out / "_truth" / "shift.json").read_text(encoding="utf-8"))


def _truth(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "_truth" / "trader_days.csv", dtype=str, keep_default_na=False)


def _month_files(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.glob("*/*_????-??.csv")}


def _blocks_before(path: Path, day: pd.Timestamp) -> list[str]:
    """The lines of a totalsByDate file's day blocks before `day`."""
    lines, keep = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if "," not in line and line.count("/") == 2:
            keep = pd.Timestamp(line) < day
        if keep:
            lines.append(line)
    return lines


def _fills_before(path: Path, day: pd.Timestamp) -> pd.DataFrame:
    fills = pd.read_csv(path, dtype=str, keep_default_na=False)
    when = pd.to_datetime(fills["Date/Time"], format="%m/%d/%Y %H:%M:%S")
    return fills[when < day].reset_index(drop=True)


@pytest.mark.parametrize("kind", ["trader", "market"])
def test_before_the_shift_the_exports_are_the_unshifted_firms(firms, kind):
    base, _ = firms["none"]
    out, _ = firms[kind]
    assert (out / "market_daily.csv").read_bytes() == (base / "market_daily.csv").read_bytes()
    shift_month = f"{SHIFT:%Y-%m}"
    before = {name for name in _month_files(base) if name[-11:-4] < shift_month}
    assert len(before) >= 10
    for name in sorted(before):  # whole months before the shift: the same bytes
        assert (out / name).read_bytes() == (base / name).read_bytes(), name
    checked = 0
    for account in sorted({name.split("/")[0] for name in before}):
        fills = f"{account}/fills_{shift_month}.csv"
        if (base / fills).exists():  # the shift's month: the same rows before the shift day
            expected = _fills_before(base / fills, DAY)
            pd.testing.assert_frame_equal(_fills_before(out / fills, DAY), expected)
            totals = f"{account}/totalsByDate_{shift_month}.csv"
            assert _blocks_before(out / totals, DAY) == _blocks_before(base / totals, DAY)
            checked += len(expected)
        summary = f"{account}/summaryByDate_{SHIFT:%Y}.csv"
        a, b = (pd.read_csv(f / summary, dtype=str) for f in (base, out))
        pd.testing.assert_frame_equal(
            b[pd.to_datetime(b["Date"], errors="coerce") < DAY],
            a[pd.to_datetime(a["Date"], errors="coerce") < DAY],
        )
    assert checked > 1000
    truth, truth_base = _truth(out), _truth(base)
    pd.testing.assert_frame_equal(
        truth[truth["date"] < str(SHIFT)].reset_index(drop=True),
        truth_base[truth_base["date"] < str(SHIFT)].reset_index(drop=True),
    )
    restated = pd.read_csv(out / "_truth" / "restatements.csv", dtype=str)
    restated_base = pd.read_csv(base / "_truth" / "restatements.csv", dtype=str)
    pd.testing.assert_frame_equal(
        restated[restated["date"] < str(SHIFT)].reset_index(drop=True),
        restated_base[restated_base["date"] < str(SHIFT)].reset_index(drop=True),
    )
    for row in restated_base[restated_base["date"] < str(SHIFT)].itertuples():
        for name in row.files.split(";"):
            assert (out / name).read_bytes() == (base / name).read_bytes(), name


def _daily(out: Path, accounts: list[str]) -> pd.DataFrame:
    """Per trading day of the accounts: notional traded (USD) and number of fills."""
    fills = read_fills([p for a in accounts for p in (out / a).glob("fills_????-??.csv")])
    notional = fills["qty"] * fills["price_c"] / 100
    return pd.DataFrame(
        {"notional": notional.groupby(fills["date"]).sum(), "fills": fills.groupby("date").size()}
    )


def _accounts(truth: pd.DataFrame, trader: str) -> list[str]:
    return sorted(truth.loc[truth["trader_id"] == trader, "account"].unique())


def _matched_after(base: Path, out: Path) -> pd.DataFrame:
    """Truth rows on and after the shift day that are active in both firms (same latent draws)."""
    numeric = ["net_pnl", "size", "spread", "vol_factor"]
    a, b = (pd.read_csv(f / "_truth" / "trader_days.csv") for f in (base, out))
    both = a.merge(b, on=["trader_id", "date"], suffixes=("_base", ""))
    both = both[(both["date"] >= str(SHIFT)) & both["active_base"] & both["active"]]
    return both[["trader_id", "date", *numeric, *(f"{c}_base" for c in numeric)]]


def test_shifted_traders_trade_bigger_more_often_and_wilder_after_the_shift(firms):
    base, _ = firms["none"]
    out, _ = firms["trader"]
    truth = pd.read_csv(out / "_truth" / "trader_days.csv", parse_dates=["date"])
    truth = truth[truth["active"]]
    matched = _matched_after(base, out)
    for trader in _shift(out)["traders"]:
        accounts = _accounts(truth, trader)
        daily, daily_base = _daily(out, accounts), _daily(base, accounts)
        pre, post, base_post = (
            daily[daily.index < DAY],
            daily[daily.index >= DAY],
            daily_base[daily_base.index >= DAY],
        )
        assert len(post) >= 5
        for column, factor in (("notional", 2.0), ("fills", 1.4)):
            assert post[column].median() > factor * pre[column].median(), (trader, column)
            assert post[column].median() > factor * base_post[column].median(), (trader, column)
        pnl = truth.loc[truth["trader_id"] == trader].set_index("date")["net_pnl"]
        assert pnl[pnl.index >= DAY].std() > 1.5 * pnl[pnl.index < DAY].std(), trader
        same = matched[matched["trader_id"] == trader]
        assert same["net_pnl"].std() > 1.5 * same["net_pnl_base"].std(), trader
        # The latent parameters behind it: size ×2, spread ×2 × 1.4 (tilt moves it a little).
        assert np.allclose(same["size"] / same["size_base"], 2.0, rtol=0.15), trader
        assert (same["spread"] / same["spread_base"]).median() > 2.5, trader


def test_unshifted_traders_are_unchanged_after_the_shift(firms):
    base, _ = firms["none"]
    out, _ = firms["trader"]
    shifted = set(_shift(out)["traders"])
    truth, truth_base = _truth(out), _truth(base)
    others = sorted(set(truth_base["trader_id"]) - shifted)
    assert len(others) >= 3
    pd.testing.assert_frame_equal(
        truth[truth["trader_id"].isin(others)].reset_index(drop=True),
        truth_base[truth_base["trader_id"].isin(others)].reset_index(drop=True),
    )
    accounts = {a for t in others for a in _accounts(truth_base, t)}
    names = {n for n in _month_files(base) | _month_files(out) if n.split("/")[0] in accounts}
    names |= {
        p.relative_to(base).as_posix() for a in accounts for p in (base / a).glob("summaryByDate_*.csv")
    }
    after = 0
    for name in sorted(names):
        assert (out / name).exists() and (base / name).exists(), name
        if "/fills_" not in name:  # reports: the same bytes
            assert (out / name).read_bytes() == (base / name).read_bytes(), name
            continue
        fills, fills_base = (pd.read_csv(f / name, dtype=str, keep_default_na=False) for f in (out, base))
        pd.testing.assert_frame_equal(fills.drop(columns=IDS), fills_base.drop(columns=IDS))
        after += (pd.to_datetime(fills["Date/Time"], format="%m/%d/%Y %H:%M:%S") >= DAY).sum()
    assert after > 1000


def test_the_market_shift_doubles_everyones_pnl_dispersion_and_raises_their_size(firms):
    base, _ = firms["none"]
    out, _ = firms["market"]
    matched = _matched_after(base, out)
    assert np.allclose(matched["vol_factor"] / matched["vol_factor_base"], 2.0)
    truth = pd.read_csv(out / "_truth" / "trader_days.csv", parse_dates=["date"])
    std_ratio, notional_ratio = [], []
    for trader, same in matched.groupby("trader_id"):
        std_ratio.append(same["net_pnl"].std() / same["net_pnl_base"].std())
        accounts = _accounts(truth[truth["active"]], trader)
        daily, daily_base = _daily(out, accounts), _daily(base, accounts)
        notional_ratio.append(
            daily.loc[daily.index >= DAY, "notional"].median()
            / daily_base.loc[daily_base.index >= DAY, "notional"].median()
        )
    assert len(std_ratio) == 5
    assert 1.6 < np.median(std_ratio) < 2.6 and min(std_ratio) > 1.4
    assert np.median(notional_ratio) > 1.8 and min(notional_ratio) > 1.3
    # The firm's day: the sum of everyone's P&L spreads out about twice as much as before.
    firm_day = truth[truth["active"]].groupby("date")["net_pnl"].sum()
    firm_base = pd.read_csv(base / "_truth" / "trader_days.csv", parse_dates=["date"])
    firm_base = firm_base[firm_base["active"]].groupby("date")["net_pnl"].sum()
    after = firm_day.index >= DAY
    assert firm_day[after].std() > 1.5 * firm_base[firm_base.index >= DAY].std()


def test_shift_json_is_the_truth_of_who_shifted(firms):
    base, _ = firms["none"]
    assert not (base / "_truth" / "shift.json").exists()
    truth_base = _truth(base)
    for kind in ("trader", "market"):
        out, summary = firms[kind]
        shift = _shift(out)
        assert set(shift) >= {"date", "kind", "traders", "description"}
        assert shift["date"] == "2016-12-14" and shift["kind"] == kind and shift["description"]
        truth = _truth(out)
        # Exactly the listed traders differ from the unshifted firm on and after the date.
        differ = sorted(
            t
            for t in truth_base["trader_id"].unique()
            if not truth[truth["trader_id"] == t]
            .reset_index(drop=True)
            .equals(truth_base[truth_base["trader_id"] == t].reset_index(drop=True))
        )
        assert shift["traders"] == differ
        if kind == "trader":
            assert len(shift["traders"]) == 2
        else:  # everyone in tenure on or after the date
            assert shift["traders"] == sorted(
                truth_base.loc[truth_base["date"] >= str(SHIFT), "trader_id"].unique()
            )
        later = truth[truth["trader_id"].isin(shift["traders"]) & (truth["date"] >= str(SHIFT))]
        assert shift["accounts"] == sorted(later["account"].unique())
        assert summary["shifted_traders"] == ",".join(shift["traders"])


def _carried_into_shift_day(out: Path) -> int:
    """Positions held overnight from the last trading day before the shift into the shift day."""
    last = max(d for d in pd.to_datetime(_truth(out)["date"]) if d < DAY)
    held = 0
    for path in out.glob(f"*/totalsByDate_{last:%Y-%m}.csv"):
        totals = read_totals(path)
        held += int((totals.loc[totals["date"] == last, "Unrealized"].map(to_cents) != 0).sum())
    return held


def _trades_after_overnight_holds(out: Path) -> tuple[int, int]:
    """(holds, next-day fills of a held symbol that do not close it): a symbol carried overnight
    is only traded, on the next day, to close the position (docs/demo_firm.md)."""
    holds = stray = 0
    for account in sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith("_")):
        fills = read_fills(sorted(account.glob("fills_????-??.csv")))
        fills["signed"] = fills["qty"].where(fills["B/S"].isin(["B", "C"]), -fills["qty"])
        held = fills.groupby(["Symbol", "date"])["signed"].sum().groupby(level="Symbol").cumsum()
        held = held[held != 0].rename("position").reset_index()
        days = np.sort(fills["date"].unique())
        held["date"] = days[np.searchsorted(days, held["date"], side="right")]  # the next day
        nxt = fills.merge(held, on=["Symbol", "date"])
        holds += len(held)
        stray += int((nxt["signed"] * np.sign(nxt["position"]) >= 0).sum())
        closed = nxt.groupby(["Symbol", "date"]).agg(traded=("signed", "sum"), position=("position", "first"))
        stray += int((closed["traded"] != -closed["position"]).sum()) + len(held) - len(closed)
    return holds, stray


def test_a_symbol_carried_into_the_shift_day_sits_out_that_days_trading():
    """The first changed day after an unchanged day's overnight hold does not trade the symbol."""
    _, base, popularity, betas = load_universe()
    rng = np.random.default_rng(0)
    trader = build_roster(1, 20, popularity, rng)[0]
    favourite = int(trader.universe[np.argmax(trader.universe_weights)])
    td = pd.DataFrame(
        {
            "trader_id": trader.trader_id,
            "day": np.arange(20),
            "spread": 1000.0,
            "target_net": 0.0,
            "fills_target": 100.0,
            "start_offset": 600.0,
            "carry": False,
            "sits_out": favourite,
        }
    )
    prices = price_paths(base, betas, np.zeros(20), rng)
    roster = {trader.trader_id: trader}
    assert (build_trips(td.drop(columns="sits_out"), roster, prices, rng)["sym"] == favourite).any()
    trips = build_trips(td, roster, prices, rng)
    assert len(trips) > 200 and not (trips["sym"] == favourite).any()


@pytest.mark.parametrize("kind", ["trader", "market"])
def test_the_shifted_firm_still_reconciles(firms, kind):
    """Cell by cell, on the changed accounts from the month before the shift (FIFO needs the
    positions carried into the shift's month); the rest is the unshifted firm's (test above)."""
    out, _ = firm = firms[kind]
    checked = 0
    for name in _shift(out)["accounts"]:
        account = out / name
        months = [p for p in sorted(account.glob("fills_????-??.csv")) if p.name[6:13] >= MONTH_BEFORE]
        fills = read_fills(months)
        totals = pd.concat(
            read_totals(p.with_name(p.name.replace("fills_", "totalsByDate_"))) for p in months
        )
        checked += len(reconciliation._check_symbol_rows(fills, totals, name))
    assert checked > 100
    reconciliation.test_overnight_holds_show_as_unrealized_and_reverse_next_day(firm)
    reconciliation.test_truth_net_is_the_sum_of_the_days_symbol_rows(firm)
    fills = pd.concat(pd.read_csv(p, dtype=str) for p in sorted(out.glob("*/fills_????-??.csv")))
    assert fills["Fill Id"].is_unique and fills["Order Id"].str.fullmatch(r"\d+").all()
    # The fixture covers what the splice must get right.
    leave = [
        pd.read_csv(f / "_truth" / "traders.csv").set_index("trader_id")["leave_date"]
        for f in (firms["none"][0], out)
    ]
    assert (leave[0] != leave[1]).any()  # a newcomer blows up at another time
    holds, stray = _trades_after_overnight_holds(out)
    assert holds >= 1 and stray == 0
    if kind == "market":
        assert _carried_into_shift_day(out) >= 1


TINY = ["--traders", "2", "--start", "2016-03-01", "--end", "2016-03-31", "--seed", "3"]


def test_the_cli_takes_the_shift_options(tmp_path):
    runner = CliRunner()
    out = tmp_path / "firm"
    result = runner.invoke(
        app, ["demo-data", "--out", str(out), *TINY, "--shift", "2016-03-12", "--shift-traders", "1"]
    )
    assert result.exit_code == 0, result.output
    shift = _shift(out)
    assert shift["date"] == "2016-03-14"  # a Saturday shifts from the next trading day
    assert shift["kind"] == "trader" and len(shift["traders"]) == 1
    assert "shift=2016-03-14" in result.output
    result = runner.invoke(
        app, ["demo-data", "--out", str(out), *TINY, "--shift", "2016-03-14", "--shift-kind", "market"]
    )
    assert result.exit_code == 0, result.output
    assert _shift(out)["kind"] == "market" and _shift(out)["traders"] == ["T001", "T002"]
    result = runner.invoke(app, ["demo-data", "--out", str(out), *TINY])
    assert result.exit_code == 0 and not (out / "_truth" / "shift.json").exists()
    for wrong, message in (
        (["--shift-kind", "market"], "need --shift"),
        (["--shift", "2016-03-14", "--shift-traders", "3"], "in tenure on 2016-03-14"),
        (["--shift", "2016-03-14", "--shift-kind", "vol"], "--shift-kind"),
        (["--shift", "2016-03-01"], "no trading day before it"),
    ):
        result = runner.invoke(app, ["demo-data", "--out", str(tmp_path / "bad"), *TINY, *wrong])
        assert result.exit_code == 2 and message in result.output, (wrong, result.output)
    assert not (tmp_path / "bad").exists()  # nothing written for a bad shift
    assert "--shift-kind" in runner.invoke(app, ["demo-data", "--help"]).output


def test_the_library_default_is_no_shift(tmp_path):
    a = generate_demo_firm(tmp_path / "a", traders=2, start=date(2016, 3, 1), end=date(2016, 3, 31), seed=3)
    assert "shift" not in a
    assert not (tmp_path / "a" / "_truth" / "shift.json").exists()
