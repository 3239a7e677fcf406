"""Ingest under faults and odd input: each bad file or row is rejected or quarantined with a
reason a person can act on, and everything else still loads."""

from __future__ import annotations

import codecs
import os
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from riskman.ingest import describe, ingest_folder
from riskman.ingest.schema import ensure_raw_schema
from tests.ingest.exports import FILLS_HEADER, SUMMARY_HEADER, fill, small_firm, write


@pytest.fixture
def firm(tmp_path) -> Path:
    return small_firm(tmp_path / "exports")


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def quarantined(db: Path) -> list[tuple[str, int, str]]:
    rows = query(db, "select _source_file, line_number, reason from raw.quarantine order by 1, 2")
    return [(Path(file).name, line, reason) for file, line, reason in rows]


def current_fills(db: Path) -> list[tuple]:
    """The fills the warehouse shows: the newest version of each account-day."""
    return query(
        db,
        """select account_name, fill_id, qty from raw.fills f
           where _load_seq = (select max(_load_seq) from raw.fills l
                              where l.account_name = f.account_name and l.trade_date = f.trade_date)
           order by account_name, fill_id""",
    )


def test_a_fill_dated_after_the_load_or_before_any_trading_is_quarantined(firm, tmp_path):
    future = fill("01/04/2099 09:31:05", "ALPHA", "B", "100", "TSLA", "240.10", "98")
    ancient = fill("01/04/1985 09:31:05", "ALPHA", "S", "100", "TSLA", "240.10", "99")
    write(firm / "ALPHA" / "fills_odd.csv", f"{FILLS_HEADER}\n{future}\n{ancient}\n")
    totals_line = "1/5/2099\nSymbol,Orders,Fills,Qty,Gross,Net\nTSLA,1,1,100,0,0\n"
    write(firm / "ALPHA" / "totalsByDate_odd.csv", totals_line)
    db = tmp_path / "w.duckdb"
    assert ingest_folder(firm, db).usable
    reasons = {(name, line): reason for name, line, reason in quarantined(db)}
    assert "is after the day it was loaded" in reasons[("fills_odd.csv", 2)]
    assert "'01/04/1985 09:31:05' is before 1990-01-01" in reasons[("fills_odd.csv", 3)]
    assert "'1/5/2099' is after the day it was loaded" in reasons[("totalsByDate_odd.csv", 3)]
    assert query(db, "select max(trade_date) from raw.fills") == query(
        db, "select max(trade_date) from raw.totals_by_date"
    )


def test_the_same_fill_in_an_overlapping_export_adds_nothing(firm, tmp_path):
    db = tmp_path / "w.duckdb"
    ingest_folder(firm, db)
    before = current_fills(db)
    # The same fill under a renamed account (as an export before and after a rename shows it).
    again = fill("01/04/2016 09:31:05", "ALPHA_OLD", "B", "100", "TSLA", "240.10", "1")
    write(firm / "ALPHA_OLD" / "fills_overlap.csv", f"{FILLS_HEADER}\n{again}\n")
    report = ingest_folder(firm, db)
    assert current_fills(db) == before
    assert report.total("rows_unchanged") == 1 and report.total("rows_quarantined") == 0


def test_the_same_fill_with_other_values_elsewhere_is_quarantined_as_a_conflict(firm, tmp_path):
    db = tmp_path / "w.duckdb"
    ingest_folder(firm, db)
    moved = fill("01/06/2016 09:31:05", "ALPHA", "B", "100", "TSLA", "239.00", "1")
    write(firm / "ALPHA" / "fills_conflict.csv", f"{FILLS_HEADER}\n{moved}\n")
    ingest_folder(firm, db)
    (conflict,) = [row for row in quarantined(db) if row[0] == "fills_conflict.csv"]
    assert conflict[1] == 2 and "is loaded from" in conflict[2] and "fills_2016-01.csv line 2" in conflict[2]
    assert [f for f in current_fills(db) if f[1] == "1"] == [("ALPHA", "1", 100)]


def test_fractional_quantities_are_exact_decimals(firm, tmp_path):
    half = fill("01/06/2016 09:31:05", "BRAVO", "B", "100.5", "BTC", "10.00", "20")
    tiny = fill("01/06/2016 09:32:05", "BRAVO", "S", "0.00000001", "BTC", "10.00", "21")
    write(firm / "BRAVO" / "fills_crypto.csv", f"{FILLS_HEADER}\n{half}\n{tiny}\n")
    summary = "1/6/2016,Eq,0,0,0.00," + ",".join(["0"] * 25)
    write(firm / "BRAVO" / "summaryByDate_2016.csv", f"{SUMMARY_HEADER}\n{summary}\n")
    db = tmp_path / "w.duckdb"
    ingest_folder(firm, db)
    assert quarantined(db) == []
    quantities = query(db, "select qty from raw.fills where fill_id in ('20', '21') order by fill_id")
    assert [q for (q,) in quantities] == [Decimal("100.5"), Decimal("0.00000001")]


def _unreadable(path: Path, monkeypatch) -> None:
    """Make `path` unreadable: by its permission bits, or for root (whom they do not stop) by
    failing its read as the operating system would."""
    if os.geteuid() != 0:
        path.chmod(0)
        return
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)


def test_an_unreadable_file_is_rejected_and_the_rest_loads(firm, tmp_path, monkeypatch):
    locked = firm / "BRAVO" / "fills_2016-01.csv"
    _unreadable(locked, monkeypatch)
    db = tmp_path / "w.duckdb"
    report = ingest_folder(firm, db)
    assert report.usable
    assert quarantined(db) == [("fills_2016-01.csv", 1, "cannot read the file: Permission denied")]
    assert {account for account, *_ in current_fills(db)} == {"ALPHA"}
    assert f"rejected: {locked}: cannot read the file: Permission denied" in describe(report)


def test_a_header_lacking_a_required_column_names_it_and_an_empty_file_says_so(firm, tmp_path):
    header = FILLS_HEADER.replace(",Price,", ",")
    write(firm / "ALPHA" / "fills_noprice.csv", header + "\n")
    write(firm / "ALPHA" / "fills_empty.csv", "\n")
    db = tmp_path / "w.duckdb"
    ingest_folder(firm, db)
    assert ("fills_noprice.csv", 1, "fills header lacks required column Price") in quarantined(db)
    assert ("fills_empty.csv", 1, "empty file: nothing to load") in quarantined(db)


def test_a_utf16_export_is_decoded_and_a_latin1_one_is_refused(firm, tmp_path):
    text = (
        f"{FILLS_HEADER}\n" + fill("01/06/2016 09:31:05", "ALPHA", "B", "10", "TSLA", "241.00", "30") + "\n"
    )
    (firm / "ALPHA" / "fills_utf16.csv").write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    latin = text.replace("TSLA", "CAFÉ").encode("latin-1")
    (firm / "ALPHA" / "fills_latin1.csv").write_bytes(latin)
    db = tmp_path / "w.duckdb"
    ingest_folder(firm, db)
    assert ("ALPHA", "30", 10) in current_fills(db)
    (refused,) = [row for row in quarantined(db) if row[0] == "fills_latin1.csv"]
    assert refused[2].startswith("not UTF-8 (byte 0xc9 at offset")


def test_unknown_columns_stay_with_the_rows_of_their_file(firm, tmp_path):
    tagged = fill("01/06/2016 09:31:05", "ALPHA", "B", "10", "TSLA", "241.00", "40") + ",momo"
    write(firm / "ALPHA" / "fills_tagged.csv", f"{FILLS_HEADER},Note\n{tagged}\n")
    db = tmp_path / "w.duckdb"
    ingest_folder(firm, db)
    extras = dict(query(db, "select fill_id, extra_columns from raw.fills"))
    assert extras["40"] == '{"Note":"momo"}'
    assert {fill_id for fill_id, extra in extras.items() if extra is not None} == {"40"}


def test_a_warehouse_from_before_fractional_quantities_is_widened_keeping_its_values(tmp_path):
    db = tmp_path / "old.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema raw")
        ensure_raw_schema(con)
        con.execute("alter table raw.fills alter column qty set data type bigint")  # as it was
        con.execute(
            "insert into raw.fills (qty, _row_hash, _block_hash, _source_line, _source_file, _load_id, "
            "_load_seq, _loaded_at) values (300, 1, 1, 2, 'f.csv', 'l', 1, now())"
        )
    with duckdb.connect(str(db)) as con:
        ensure_raw_schema(con)
        kind = con.execute(
            "select data_type from information_schema.columns"
            " where table_name = 'fills' and column_name = 'qty'"
        ).fetchone()[0]
        assert kind == "DECIMAL(24,8)"
        assert con.execute("select qty from raw.fills").fetchone()[0] == Decimal(300)
