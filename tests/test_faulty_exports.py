"""The tiny demo firm's exports with every kind of fault and odd input at once: `riskman ingest`
loads each valid row once and quarantines each bad one with its reason; `riskman build` is green.
"""

from __future__ import annotations

import codecs
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.compare import read

pytestmark = pytest.mark.slow
RISKMAN = Path(sys.executable).with_name("riskman")
ACCOUNT = "SMUL100"  # a veteran of the tiny firm (tests.firms.TINY), trading every month


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _fill(template: str, header: list[str], **cells: str) -> str:
    values = template.split(",")
    for name, value in cells.items():
        values[header.index(name)] = value
    return ",".join(values)


def _days(lines: list[str], last: str) -> list[str]:
    """The fills of the whole days up to `last` (MM/DD/YYYY): a real export holds whole days."""
    return [line for line in lines if line[:10] <= last]


def _write(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def add_faults(exports: Path) -> dict[str, str]:
    """Write the faulty inputs into `exports`; return each rejected file's name and its reason."""
    folder = exports / ACCOUNT
    head, *month = _lines(folder / "fills_2016-02.csv")
    header, first, second = head.split(","), month[0], month[1]
    future = _fill(
        first, header, **{"Date/Time": "02/02/2099 09:31:05", "Fill Id": "F1", "PropReports Id": "P-F1"}
    )
    _write(folder / "fills_future.csv", [head, future])
    _write(folder / "fills_overlap.csv", [head, *_days(month, "02/05/2016")])  # February re-exported in part
    _write(
        folder / "fills_conflict.csv", [head, _fill(second, header, **{"Date/Time": "03/31/2016 10:00:00"})]
    )
    _write(folder / "fills_noprice.csv", [head.replace(",Price,", ",")])
    _write(
        folder / "fills_tagged.csv",
        [head + ",Note", *(line + ",desk note" for line in _days(month, "02/01/2016"))],
    )
    latin = "\n".join([head, first.replace(ACCOUNT, ACCOUNT + "É")]) + "\n"
    (folder / "fills_latin1.csv").write_bytes(latin.encode("latin-1"))
    totals = (folder / "totalsByDate_2016-03.csv").read_text(encoding="utf-8")
    (folder / "totalsByDate_2016-03.csv").write_bytes(codecs.BOM_UTF16_LE + totals.encode("utf-16-le"))
    # A new crypto account trading fractions (no totals export: one unreconciled day, a warning).
    crypto = {"Account": "CRYPTO1", "Symbol": "BTC", "Price": "420.00", "Qty": "0.5"}
    _write(
        exports / "CRYPTO1" / "fills_2016-04.csv",
        [
            head,
            _fill(
                first,
                header,
                **crypto,
                **{"Date/Time": "04/29/2016 15:50:00", "B/S": "B", "Fill Id": "X1", "PropReports Id": "P-X1"},
            ),
            _fill(
                first,
                header,
                **crypto,
                **{"Date/Time": "04/29/2016 15:51:00", "B/S": "S", "Fill Id": "X2", "PropReports Id": "P-X2"},
            ),
        ],
    )
    (exports / "not_an_export.csv").write_text("foo,bar\n1,2\n", encoding="utf-8")
    expected = {
        "fills_future.csv": "is after the day it was loaded",
        "fills_conflict.csv": "with other values; a correction comes as a re-export",
        "fills_noprice.csv": "fills header lacks required column Price",
        "fills_latin1.csv": "not UTF-8 (byte 0xc9",
        "not_an_export.csv": "unrecognised file",
    }
    if os.geteuid() != 0:  # root reads whatever the permission bits say
        _write(folder / "fills_locked.csv", [head, *_days(month, "02/01/2016")])
        (folder / "fills_locked.csv").chmod(0)
        expected["fills_locked.csv"] = "cannot read the file: Permission denied"
    return expected


@pytest.fixture(scope="module")
def faulty(
    tiny_exports, tmp_path_factory
) -> tuple[Path, Path, dict[str, str], subprocess.CompletedProcess, subprocess.CompletedProcess]:
    root = tmp_path_factory.mktemp("faulty")
    exports = root / "exports"
    shutil.copytree(tiny_exports, exports)
    expected = add_faults(exports)
    db = root / "warehouse.duckdb"

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(RISKMAN), *args, "--db", str(db)], capture_output=True, text=True, check=False
        )

    return exports, db, expected, run("ingest", str(exports)), run("build")


def test_ingest_loads_what_it_can_and_says_what_it_rejected(faulty):
    _, _, _, ingest, _ = faulty
    assert ingest.returncode == 0, ingest.stderr
    assert "Traceback" not in ingest.stdout + ingest.stderr
    assert (
        "rejected: " in ingest.stdout
        and "fills_noprice.csv: fills header lacks required column Price" in ingest.stdout
    )


def test_each_bad_file_or_row_is_quarantined_with_its_reason(faulty):
    _, db, expected, _, _ = faulty
    reasons = read(db, "select _source_file, reason from raw.quarantine")
    by_file = {Path(f).name: reason for f, reason in reasons.itertuples(index=False)}
    for name, why in expected.items():
        assert why in by_file.get(name, ""), (name, by_file.get(name))


def test_every_valid_fill_is_loaded_once(faulty, tiny_raw_warehouse):
    _, db, _, _, _ = faulty
    current = """select fill_key, quantity from staging.stg_propreports__fills"""
    loaded, clean = read(db, current), read(tiny_raw_warehouse, "select count(*) as n from raw.fills")
    assert loaded.fill_key.is_unique
    restated_extra = read(
        tiny_raw_warehouse, "select count(*) - count(distinct (account_name, fill_id)) as n from raw.fills"
    ).n[0]
    assert len(loaded) == clean.n[0] - restated_extra + 2  # the firm's fills and the two fractional ones
    assert sorted(loaded[loaded.fill_key.isin(["P-X1", "P-X2"])].quantity) == [Decimal("0.5"), Decimal("0.5")]


def test_the_build_is_green(faulty):
    _, _, _, _, build = faulty
    assert build.returncode == 0, build.stdout + build.stderr[-3000:]
    assert "failed: critical 0" in build.stdout
