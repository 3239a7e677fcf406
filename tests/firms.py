"""The demo firms the tests share, and what tests do with them: copy a warehouse, cut exports.

The firms themselves are session fixtures in `tests/conftest.py`: generated, ingested and built
once per test session, copied by any test that writes.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb

from riskman.dbt import run_dbt

# Four traders over four months: a tilter, a scalper, a veteran, and a newcomer who stops
# trading on 2016-03-18 (29 trading days before the end, so he departs); one restated day.
TINY = {"traders": 4, "start": date(2016, 1, 4), "end": date(2016, 4, 29), "seed": 3}

_BLOCK_DATE = re.compile(r"^\s*(\d{1,2}/\d{1,2}/\d{4})\s*,*\s*$")


def copy_warehouse(source: Path, folder: Path, *statements: str) -> Path:
    """A copy of the warehouse at `source` in `folder`, with `statements` run on it."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    shutil.copy2(source, target)
    if statements:
        with duckdb.connect(str(target)) as con:
            for statement in statements:
                con.execute(statement)
    return target


def cut_exports(source: Path, target: Path, last_day: date, *, corrections: bool = True) -> Path:
    """The exports of `source` as they would have been exported at the close of `last_day`.

    Every fills, totalsByDate, summaryByDate and market row dated after `last_day` is dropped
    (found by header name, as ingest reads them); other files are copied as they are; without
    `corrections`, restated days' `*_corrected.csv` files are left out. Modification times are
    kept, so ingest loads the files in the same order.
    """
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_dir() or relative.parts[0].startswith(("_", ".")):
            continue
        if not corrections and path.stem.endswith("_corrected"):
            continue
        out = target / relative
        out.parent.mkdir(parents=True, exist_ok=True)
        lines = path.read_text(encoding="utf-8").splitlines() if path.suffix == ".csv" else None
        if lines:
            kept = _lines_up_to(lines, last_day)
            out.write_text("\n".join(kept) + "\n", encoding="utf-8")
        else:
            shutil.copy2(path, out)
        stat = path.stat()
        os.utime(out, (stat.st_atime, stat.st_mtime))
    return target


def _lines_up_to(lines: list[str], last_day: date) -> list[str]:
    if _BLOCK_DATE.match(lines[0]):
        return _totals_blocks_up_to(lines, last_day)
    header = next(csv.reader([lines[0]]))
    for column, parse in (("Date/Time", _mdy), ("Date", _mdy_or_iso)):
        if column in header:
            at = header.index(column)
            return [lines[0]] + [line for line in lines[1:] if _on_or_before(line, at, parse, last_day)]
    return lines


def _totals_blocks_up_to(lines: list[str], last_day: date) -> list[str]:
    kept, keep = [], True
    for line in lines:
        opening = _BLOCK_DATE.match(line)
        if opening:
            keep = _mdy(opening.group(1)) <= last_day
        if keep:
            kept.append(line)
    return kept


def _on_or_before(line: str, at: int, parse, last_day: date) -> bool:
    cell = next(csv.reader([line]))[at]
    day = parse(cell)
    return day is None or day <= last_day  # a totals row (`Equities`) has no date: kept


def _mdy(text: str) -> date:
    return datetime.strptime(text.split(" ")[0], "%m/%d/%Y").date()


def _mdy_or_iso(text: str) -> date | None:
    for pattern in ("%m/%d/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def build(db: Path, *extra: str) -> bool:
    """`dbt build` on the warehouse at `db`; True when it passed."""
    return run_dbt(["build", *extra], db).returncode == 0
