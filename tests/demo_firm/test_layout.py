from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import yaml

from riskman.demo_firm import generate_demo_firm
from riskman.demo_firm.orders import FEE_COLUMNS
from riskman.demo_firm.writers import FILLS_HEADER, SUMMARY_HEADER, TOTALS_HEADER

TINY = {"traders": 2, "start": date(2016, 3, 1), "end": date(2016, 3, 31)}


def _digest(folder):
    return {
        p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_writes_identical_bytes_and_rerun_is_idempotent(tmp_path):
    generate_demo_firm(tmp_path / "a", **TINY, seed=3)
    generate_demo_firm(tmp_path / "b", **TINY, seed=3)
    first = _digest(tmp_path / "a")
    assert first == _digest(tmp_path / "b")
    generate_demo_firm(tmp_path / "a", **TINY, seed=3)
    assert _digest(tmp_path / "a") == first


def test_different_seed_writes_different_data(tmp_path):
    generate_demo_firm(tmp_path / "a", **TINY, seed=3)
    generate_demo_firm(tmp_path / "b", **TINY, seed=4)
    assert _digest(tmp_path / "a") != _digest(tmp_path / "b")


def test_rerun_removes_files_of_the_earlier_firm_only(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    generate_demo_firm(tmp_path, traders=3, start=date(2016, 3, 1), end=date(2016, 3, 31), seed=1)
    generate_demo_firm(tmp_path, **TINY, seed=2)
    accounts = pd.read_csv(tmp_path / "accounts.csv")["Account Name"]
    folders = {p.name for p in tmp_path.iterdir() if p.is_dir() and not p.name.startswith("_")}
    assert folders == set(accounts)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_exports_have_the_propreports_headers_and_layout(firm):
    out, summary = firm
    accounts = pd.read_csv(out / "accounts.csv", dtype=str)
    assert list(accounts.columns) == [
        "Account Id",
        "Account Name",
        "First Traded",
        "Last Traded",
        "Currency",
        "Cash",
        "Unrealized",
    ]
    assert accounts["First Traded"].str.fullmatch(r"\d{2}/\d{2}/\d{4}").all()
    assert summary["accounts"] == len(accounts)
    legacy, modern = set(FILLS_HEADER) - {"CAT", "FTT"}, FILLS_HEADER
    for name in accounts["Account Name"]:
        for path in (out / name).glob("fills_????-??.csv"):
            header = path.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
            assert header == (
                modern if path.name >= "fills_2017-01" else [h for h in FILLS_HEADER if h in legacy]
            )
            fills = pd.read_csv(path, dtype=str)
            assert fills["Date/Time"].str.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}").all()
            assert set(fills["B/S"]) <= {"B", "S", "T", "C"}
            assert fills["Price"].str.fullmatch(r"\d+\.\d{2}").all()  # the cent grid
            for fee in set(FEE_COLUMNS) & set(header):  # fees to four decimals, USD
                assert fills[fee].str.fullmatch(r"-?\d+\.\d{4}").all(), (path.name, fee)
            assert (fills["Account"] == name).all()
        for path in (out / name).glob("totalsByDate_????-??.csv"):
            lines = path.read_text(encoding="utf-8").splitlines()
            assert lines[0].count("/") == 2 and "," not in lines[0]
            assert lines[1] == ",".join(TOTALS_HEADER)
            assert any(line.startswith("Daily Total,") for line in lines)
        for path in (out / name).glob("summaryByDate_????.csv"):
            summary_rows = pd.read_csv(path, dtype=str)
            assert list(summary_rows.columns) == SUMMARY_HEADER
            assert summary_rows["Date"].iloc[-1] == "Equities"
            assert (summary_rows["Type"].iloc[:-1] == "Eq").all()
    market = pd.read_csv(out / "market_daily.csv")
    assert list(market.columns) == ["Date", "Symbol", "Open", "High", "Low", "Close", "Adj Close", "Volume"]
    assert set(market["Symbol"]) == {"SPX", "COMP", "VIX"}
    assert market["Date"].min() < "2016-01-01"
    traders = yaml.safe_load((out / "traders.yaml").read_text(encoding="utf-8"))["traders"]
    assert {a for t in traders for a in t["accounts"]} >= set(accounts["Account Name"])
    assert {"trader_id", "name", "desk", "accounts", "daily_loss_limit"} <= set(traders[0])


def test_fill_ids_are_unique_across_the_firm(firm):
    out, _ = firm
    fills = pd.concat(pd.read_csv(p, dtype=str) for p in sorted(out.glob("*/fills_????-??.csv")))
    assert fills["Fill Id"].is_unique and fills["PropReports Id"].is_unique
