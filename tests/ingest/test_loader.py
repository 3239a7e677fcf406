import os
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from riskman.ingest import ingest_folder
from riskman.ingest import loader as loader_module
from tests.ingest.exports import FILLS_HEADER, TOTALS_HEADER, fill, small_firm, write

RAW_TABLES = [
    "fills",
    "totals_by_date",
    "summary_by_date",
    "accounts",
    "market_daily",
    "quarantine",
    "load_log",
]


def row_counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: con.execute(f"select count(*) from raw.{t}").fetchall()[0][0] for t in RAW_TABLES}


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture
def firm(tmp_path) -> Path:
    return small_firm(tmp_path / "exports")


def test_ingest_loads_every_kind_with_load_metadata(firm, tmp_path):
    db = tmp_path / "w.duckdb"
    report = ingest_folder(firm, db)
    assert report.usable
    assert report.rows_by_kind() == {
        "accounts": 2,
        "fills": 6,
        "totals_by_date": 3,
        "summary_by_date": 2,
        "market_daily": 2,
    }
    counts = row_counts(db)
    assert counts["load_log"] == 7 and counts["quarantine"] == 0
    missing_meta = query(db, "select count(*) from raw.fills where _load_id is null or _loaded_at is null")
    assert missing_meta == [(0,)]


def test_parenthesised_negatives_and_thousands_separators_are_read_as_numbers(firm, tmp_path):
    db = tmp_path / "w.duckdb"
    ingest_folder(firm, db)
    rows = query(
        db, "select account_name, gross, net from raw.totals_by_date order by account_name, trade_date"
    )
    assert rows[1] == ("ALPHA", Decimal("-100.000000"), Decimal("-100.300000"))
    assert query(db, "select cash from raw.accounts where account_name = 'ALPHA'") == [(Decimal("25000"),)]


def test_second_ingest_of_the_same_folder_adds_nothing(firm, tmp_path):
    db = tmp_path / "w.duckdb"
    ingest_folder(firm, db)
    before = row_counts(db)
    report = ingest_folder(firm, db)
    assert row_counts(db) == before
    assert report.files_already_loaded == 7 and report.usable


def test_an_identical_re_export_under_another_name_adds_no_rows(firm, tmp_path):
    db = tmp_path / "w.duckdb"
    ingest_folder(firm, db)
    before = row_counts(db)
    text = (firm / "ALPHA" / "fills_2016-01.csv").read_text()
    write(firm / "ALPHA" / "fills_2016-01-04_2016-01-05.csv", text.replace("\n", "\r\n"))
    report = ingest_folder(firm, db)
    after = row_counts(db)
    assert after["fills"] == before["fills"]
    assert report.total("rows_unchanged") == 4 and report.total("rows_loaded") == 0
    assert after["load_log"] == before["load_log"] + 1


def test_a_restated_day_is_kept_as_a_new_version_not_an_overwrite(firm, tmp_path):
    db = tmp_path / "w.duckdb"
    ingest_folder(firm, db)
    corrected = "\n".join(
        [
            "1/5/2016",
            TOTALS_HEADER,
            "AAPL,2,2,400,(90.00),0.70,-0.40,0,0,0,0,0,0,0,0,0,(90.30),0,(90.30),0",
        ]
    )
    path = write(firm / "ALPHA" / "totalsByDate_2016-01-05_corrected.csv", corrected)
    later = os.stat(firm / "ALPHA" / "totalsByDate_2016-01.csv").st_mtime + 3600
    os.utime(path, (later, later))
    ingest_folder(firm, db)
    versions = query(
        db,
        """
        select net, _load_seq from raw.totals_by_date
        where account_name = 'ALPHA' and trade_date = '2016-01-05' order by _load_seq""",
    )
    assert [v[0] for v in versions] == [Decimal("-100.3"), Decimal("-90.3")]
    untouched = query(db, "select count(*) from raw.totals_by_date where trade_date = '2016-01-04'")
    assert untouched == [(2,)]


def test_bad_rows_are_quarantined_with_file_line_text_and_reason(firm, tmp_path):
    db = tmp_path / "w.duckdb"
    good = fill("01/06/2016 09:31:05", "ALPHA", "B", "100", "TSLA", "240.10", "20")
    bad_price = fill("01/06/2016 09:32:05", "ALPHA", "S", "100", "TSLA", "12.3.4", "21")
    bad_qty = fill("01/06/2016 09:33:05", "ALPHA", "S", "1O0", "TSLA", "240.00", "22")
    bad_side = fill("01/06/2016 09:34:05", "ALPHA", "X", "100", "TSLA", "240.00", "23")
    truncated = fill("01/06/2016 09:35:05", "ALPHA", "S", "100", "TSLA", "240.00", "24")[:30]
    path = write(
        firm / "ALPHA" / "fills_2016-01-06.csv",
        "\n".join([FILLS_HEADER, good, bad_price, good, bad_qty, bad_side, truncated]) + "\n",
    )
    report = ingest_folder(firm, db)
    rows = query(
        db,
        f"""
        select line_number, raw_text, reason from raw.quarantine
        where _source_file = '{path.resolve()}' order by line_number""",
    )
    assert [(r[0], r[1]) for r in rows] == [
        (3, bad_price),
        (4, good),
        (5, bad_qty),
        (6, bad_side),
        (7, truncated),
    ]
    reasons = [r[2] for r in rows]
    assert "Price: cannot read '12.3.4'" in reasons[0]
    assert reasons[1] == "duplicate of line 2 (account_name / fill_id)"
    assert reasons[2] == "Qty: cannot read '1O0' as quantity"
    assert reasons[3] == "B/S: 'X' is not one of B, S, T, C"
    assert "expected 26 fields, found" in reasons[4]
    assert report.total("rows_quarantined") == 5


def test_an_unreadable_file_is_rejected_and_reported_not_dropped(firm, tmp_path):
    db = tmp_path / "w.duckdb"
    write(firm / "ALPHA" / "notes.csv", "this,is\nnot,an,export\n")
    write(firm / "ALPHA" / "empty.csv", "")
    report = ingest_folder(firm, db)
    assert report.files_rejected == 2 and report.usable
    reasons = query(db, "select reason from raw.quarantine order by _source_file")
    assert reasons == [
        ("empty file: nothing to load",),  # empty.csv
        ("unrecognised file: its header matches no PropReports export",),  # notes.csv
    ]
    statuses = query(db, "select status, count(*) from raw.load_log group by status order by status")
    assert statuses == [("loaded", 7), ("rejected", 2)]


def test_a_folder_with_nothing_usable_is_reported_unusable(tmp_path):
    folder = tmp_path / "junk"
    write(folder / "x.csv", "a,b\n1,2\n")
    assert not ingest_folder(folder, tmp_path / "w.duckdb").usable


def test_a_crash_mid_load_leaves_the_warehouse_as_it_was(firm, tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    ingest_folder(small_firm(tmp_path / "first"), db)
    before = row_counts(db)
    write(
        firm / "ALPHA" / "fills_2016-02.csv",
        FILLS_HEADER + "\n" + fill("02/01/2016 09:31:05", "ALPHA", "B", "100", "TSLA", "200.00", "90") + "\n",
    )

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(loader_module, "_write_load_log", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        ingest_folder(firm, db)
    assert row_counts(db) == before


TRADERS_YAML = """
traders:
  - trader_id: T001
    name: Alpha Trader
    desk: momentum
    accounts: [ALPHA, ALPHA_OLD]
    daily_loss_limit: 5000
  - trader_id: T002
    accounts: [BRAVO]
"""


def test_the_trader_config_is_loaded_and_versioned_when_it_changes(firm, tmp_path):
    db = tmp_path / "w.duckdb"
    write(firm / "traders.yaml", TRADERS_YAML)
    ingest_folder(firm, db)
    ingest_folder(firm, db)
    mapping = query(
        db, "select trader_id, account_name, daily_loss_limit from raw.trader_accounts order by 2"
    )
    assert mapping == [
        ("T001", "ALPHA", Decimal("5000")),
        ("T001", "ALPHA_OLD", Decimal("5000")),
        ("T002", "BRAVO", None),
    ]
    write(firm / "traders.yaml", TRADERS_YAML.replace("5000", "7500"))
    ingest_folder(firm, db)
    versions = query(db, "select count(distinct _load_id), count(*) from raw.trader_accounts")
    assert versions == [(2, 6)]


def test_a_broken_trader_config_is_rejected_with_its_reason_and_the_exports_still_load(firm, tmp_path):
    db = tmp_path / "w.duckdb"
    write(
        firm / "traders.yaml",
        "traders:\n  - trader_id: T1\n    accounts: [A]\n  - trader_id: T2\n    accounts: [A]\n",
    )
    report = ingest_folder(firm, db)
    assert report.usable and report.files_rejected == 1
    reason = query(db, "select reason from raw.quarantine")[0][0]
    assert "account A is mapped to both T1 and T2" in reason


def test_exports_without_market_data_get_the_offline_default_once(firm, tmp_path):
    db = tmp_path / "w.duckdb"
    (firm / "market_daily.csv").unlink()
    ingest_folder(firm, db)
    spx = query(
        db, "select min(market_date), max(market_date), count(*) from raw.market_daily where symbol = 'SPX'"
    )
    first, last, days = spx[0]
    assert first.year == 1999 and last.year == 2018 and days > 4000
    before = row_counts(db)
    ingest_folder(firm, db)
    assert row_counts(db) == before


def test_a_folder_that_brings_market_data_gets_no_default(firm, tmp_path):
    db = tmp_path / "w.duckdb"
    ingest_folder(firm, db)
    assert query(db, "select count(*) from raw.market_daily") == [(2,)]
