"""`--defects`: realistic bad input injected into the written exports, each one recorded.

Every defect names its file (relative to the export folder), its 1-based line and what ingest
should do: `quarantine` (reject the line), `reconciliation` (load, but fills ≠ totals), or `kept`
(valid input that looks unusual: an unknown column is kept).
"""

from __future__ import annotations

import csv
import re
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

DEFECTS_COLUMNS = ["kind", "file", "line", "description", "expected"]
# Kinds that leave an account-day whose fills and totals disagree: a lost fill, a wrong total, a
# missing block. A duplicate is quarantined and its original stays; an extra column is valid.
DAY_BREAKING_KINDS = ("malformed_number", "truncated_file", "totals_mismatch", "missing_day")
_BLOCK_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")[:-1]


def _save(path: Path, lines: list[str], trailing_newline: bool = True) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("\n".join(lines) + ("\n" if trailing_newline else ""))


def _day_of(line: str) -> str:
    return line.split(",", 1)[0].split(" ")[0]


def inject(out: Path, restatements: pd.DataFrame, carried: set, rng: np.random.Generator) -> list[dict]:
    """Damage distinct monthly files (never a restated day's) and return the defect records.

    `carried` holds the (account, MM/DD/YYYY, symbol) rows with a position carried in or out.
    """
    restated = {(r.account, pd.Timestamp(r.date).strftime("%m/%d/%Y")) for r in restatements.itertuples()}
    fills_files = sorted(p for p in out.glob("*/fills_????-??.csv"))
    usable = [p for p in fills_files if len(_lines(p)) >= 8]
    picks = [usable[i] for i in rng.permutation(len(usable))]
    if len(picks) < 6:
        raise ValueError("--defects needs a firm with at least 6 monthly fills files of 7+ fills")
    records: list[dict] = []

    def rel(path: Path) -> str:
        return path.relative_to(out).as_posix()

    def data_line(lines: list[str], account: str) -> int:
        """A random data line (index) whose day was not restated."""
        choices = [i for i in range(1, len(lines) - 1) if (account, _day_of(lines[i])) not in restated]
        return choices[rng.integers(len(choices))]

    # 1. Duplicate fill: the same row twice in a row; the second copy is the defect.
    path = picks[0]
    lines = _lines(path)
    i = data_line(lines, path.parent.name)
    lines.insert(i + 1, lines[i])
    _save(path, lines)
    records.append(
        {
            "kind": "duplicate_fill",
            "file": rel(path),
            "line": i + 2,
            "description": f"fill on line {i + 1} repeated verbatim",
            "expected": "quarantine",
        }
    )

    # 2. Malformed numbers: a price with two dots and a quantity with a letter O for a zero.
    path = picks[1]
    lines = _lines(path)
    header = lines[0].split(",")
    price_at, qty_at = header.index("Price"), header.index("Qty")
    first = data_line(lines, path.parent.name)
    second = data_line(lines, path.parent.name)
    while second == first:
        second = data_line(lines, path.parent.name)
    cells = lines[first].split(",")
    bad_price = cells[price_at] + (".4" if "." in cells[price_at] else ".1.4")
    cells[price_at] = bad_price
    lines[first] = ",".join(cells)
    cells = lines[second].split(",")
    bad_qty = cells[qty_at][0] + "O" + cells[qty_at][1:] if len(cells[qty_at]) > 1 else "1O"
    cells[qty_at] = bad_qty
    lines[second] = ",".join(cells)
    _save(path, lines)
    records.append(
        {
            "kind": "malformed_number",
            "file": rel(path),
            "line": first + 1,
            "description": f"Price {bad_price} has two dots",
            "expected": "quarantine",
        }
    )
    records.append(
        {
            "kind": "malformed_number",
            "file": rel(path),
            "line": second + 1,
            "description": f"Qty {bad_qty} has a letter O",
            "expected": "quarantine",
        }
    )

    # 3. Truncated file: the last line cut mid-row, no final newline.
    path = picks[2]
    lines = _lines(path)
    last = lines[-1]
    lines[-1] = last[: max(1, len(last) // 2)]
    _save(path, lines, trailing_newline=False)
    records.append(
        {
            "kind": "truncated_file",
            "file": rel(path),
            "line": len(lines),
            "description": "export cut off in the middle of its last row",
            "expected": "quarantine",
        }
    )

    # 4. Unknown extra column `Tag`: valid data, ingest keeps the column.
    path = picks[3]
    lines = _lines(path)
    tags = np.array(["", "momo", "news", "scalp"])[rng.integers(0, 4, len(lines) - 1)]
    _save(path, [lines[0] + ",Tag", *(f"{line},{tag}" for line, tag in zip(lines[1:], tags, strict=True))])
    records.append(
        {
            "kind": "unknown_column",
            "file": rel(path),
            "line": 1,
            "description": "extra column Tag after PropReports Id",
            "expected": "kept",
        }
    )

    # 5. Fills/totals mismatch: a flat symbol row's Gross and Net off by a round amount.
    rest = picks[4:]
    usable_at = next((k for k, p in enumerate(rest) if _flat_rows(_totals_path(p), restated, carried)), None)
    if usable_at is None:
        raise ValueError("--defects needs a totalsByDate row flat at both ends of its day")
    records.append(_totals_mismatch(out, rest.pop(usable_at), restated, carried, rng, rel))
    # 6. Missing day: fills exist, but the day's totalsByDate block is gone.
    records.append(_missing_day(out, rest[0], restated, rng, rel))
    return records


def _blocks(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if _BLOCK_DATE.match(line)]


def _totals_path(fills_path: Path) -> Path:
    return fills_path.with_name(fills_path.name.replace("fills_", "totalsByDate_"))


def _flat_rows(totals: Path, restated: set, carried: set) -> list[tuple[int, int]]:
    """(block start, line) of the symbol rows neither carried in nor out, on unrestated days."""
    account, lines, rows = totals.parent.name, _lines(totals), []
    for start in _blocks(lines):
        day = _padded(lines[start])
        if (account, day) in restated:
            continue
        i = start + 2
        while i < len(lines) and not lines[i].startswith("Equities,"):
            if (account, day, lines[i].split(",", 1)[0]) not in carried:
                rows.append((start, i))
            i += 1
    return rows


def _pick_block(fills_path: Path, restated: set, rng: np.random.Generator) -> tuple[Path, list[str], int]:
    totals = _totals_path(fills_path)
    lines = _lines(totals)
    starts = [i for i in _blocks(lines) if (fills_path.parent.name, _padded(lines[i])) not in restated]
    return totals, lines, starts[rng.integers(len(starts))]


def _padded(mdy: str) -> str:
    m, d, y = mdy.split("/")
    return f"{int(m):02d}/{int(d):02d}/{y}"


def _totals_mismatch(out: Path, fills_path: Path, restated: set, carried: set, rng, rel) -> dict:
    totals = _totals_path(fills_path)
    lines = _lines(totals)
    flat = _flat_rows(totals, restated, carried)
    start, row = flat[rng.integers(len(flat))]
    cells = _split_quoted(lines[row])
    header = lines[start + 1].split(",")
    bump = int(rng.choice([137, 250, 500, 1000]))
    for column in ("Gross", "Net", "Total δ"):
        cells[header.index(column)] = _shift_paren(cells[header.index(column)], bump)
    lines[row] = ",".join(f'"{c}"' if "," in c else c for c in cells)
    _save(totals, lines)
    return {
        "kind": "totals_mismatch",
        "file": rel(totals),
        "line": row + 1,
        "description": f"{cells[0]} Gross/Net on {lines[start]} overstated by {bump}.00 vs its fills",
        "expected": "reconciliation",
    }


def _missing_day(out: Path, fills_path: Path, restated: set, rng, rel) -> dict:
    totals, lines, start = _pick_block(fills_path, restated, rng)
    starts = _blocks(lines)
    nxt = next((i for i in starts if i > start), len(lines))
    day = lines[start]
    del lines[start:nxt]
    _save(totals, lines)
    fills_lines = _lines(fills_path)
    first = next(i for i, line in enumerate(fills_lines) if _day_of(line) == _padded(day))
    return {
        "kind": "missing_day",
        "file": rel(fills_path),
        "line": first + 1,
        "description": f"fills on {day} but no block for that day in {rel(totals)}",
        "expected": "reconciliation",
    }


def _split_quoted(line: str) -> list[str]:
    return next(csv.reader([line]))


def _shift_paren(text: str, bump: int) -> str:
    """A `(1,234.56)`-style cell plus `bump` dollars."""
    whole, frac = text.strip("()").replace(",", "").split(".")
    value = (int(whole) * 100 + int(frac)) * (-1 if text.startswith("(") else 1) + 100 * bump
    body = f"{abs(value) // 100:,}.{abs(value) % 100:02d}"
    return f"({body})" if value < 0 else body


def write_defects_csv(folder: Path, records: list[dict], enabled: bool) -> None:
    path = folder / "defects.csv"
    if not enabled:
        if path.exists():
            path.unlink()
        return
    pd.DataFrame(records, columns=DEFECTS_COLUMNS).to_csv(path, index=False, lineterminator="\n")


def damaged_account_days(out: Path) -> set[tuple[str, date]]:
    """The (account, day) pairs the recorded defects broke, from `_truth/defects.csv`: the day in
    the description, else the day of the line the record names."""
    records = pd.read_csv(out / "_truth" / "defects.csv")
    damaged = set()
    for row in records[records["kind"].isin(DAY_BREAKING_KINDS)].itertuples(index=False):
        match = re.search(r"\d{1,2}/\d{1,2}/\d{4}", row.description)
        if match is None:
            line = (out / row.file).read_text(encoding="utf-8").splitlines()[row.line - 1]
            match = re.match(r"\d{2}/\d{2}/\d{4}", line)
        damaged.add((row.file.split("/")[0], datetime.strptime(match.group(0), "%m/%d/%Y").date()))
    return damaged
