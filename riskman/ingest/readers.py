"""Read one export file into a table of text cells, by header name; never by position.

Rows that cannot be split into the header's columns (a truncated line, a stray field) come back as
`RejectedLine`s with their exact line number and text, for the quarantine.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from riskman.ingest.formats import (
    ACCOUNT_FROM_FOLDER,
    ACCOUNTS,
    DATE_FROM_BLOCK,
    FILLS,
    MARKET_DAILY,
    SUMMARY_BY_DATE,
    TOTALS_BY_DATE,
    FileKind,
)
from riskman.propreports_paging import PAGE_TRAILER

BLOCK_DATE = re.compile(r"^\s*(\d{1,2}/\d{1,2}/\d{4})\s*,*\s*$")
# Lines that close a totalsByDate day block: derivable totals, not per-symbol data.
TOTALS_SUMMARY_LABELS = ("Equities", "Options", "Futures", "Daily Total", "Fee:", "Cash:", "Adj")
SUMMARY_TOTAL_ROW_LABELS = {"Equities", "Options", "Futures", "Total"}
# A header sharing this many of a format's signature columns is that format with columns missing.
MIN_SIGNATURE_OVERLAP = 2


@dataclass
class RejectedLine:
    line: int
    text: str
    reason: str


@dataclass
class ParsedFile:
    kind: FileKind
    cells: pa.Table | None  # all strings, plus int64 `_line`; None when held by a FillsBatch
    rejected: list[RejectedLine] = field(default_factory=list)
    skipped_lines: int = 0  # summary/trailer lines that carry no new data, counted not loaded


def header_cells(text: str) -> list[str]:
    first_line = text.split("\n", 1)[0].lstrip("\ufeff").rstrip("\r")
    return [cell.strip() for cell in next(csv.reader([first_line]))]


def identify(data: bytes) -> tuple[FileKind | None, str | None]:
    """The export format of a file, judged by its header (or date-block opening), and what is
    wrong when it looks like a format but lacks some of its required columns."""
    head = data[:4096].decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = [line for line in head.splitlines() if line.strip()]
    if not lines:
        return None, None
    if BLOCK_DATE.match(lines[0]):
        kinds, header_line = (TOTALS_BY_DATE,), lines[1] if len(lines) > 1 else ""
    else:
        kinds, header_line = (FILLS, SUMMARY_BY_DATE, ACCOUNTS, MARKET_DAILY), lines[0]
    headers = set(header_cells(header_line))
    for kind in kinds:
        if set(kind.signature) <= headers:
            return kind, None
    # Most of a format's signature but not all: name the columns it lacks.
    closest = max(kinds, key=lambda kind: len(set(kind.signature) & headers))
    if len(set(closest.signature) & headers) >= MIN_SIGNATURE_OVERLAP:
        missing = [header for header in closest.signature if header not in headers]
        plural = "s" if len(missing) > 1 else ""
        return None, f"{closest.name} header lacks required column{plural} {', '.join(missing)}"
    return None, None


def detect_kind(data: bytes) -> FileKind | None:
    """The export format of a file, judged by its header (or date-block opening)."""
    return identify(data)[0]


def _strings_table(columns: dict[str, list[str]], lines: list[int]) -> pa.Table:
    arrays = {name: pa.array(values, type=pa.string()) for name, values in columns.items()}
    arrays["_line"] = pa.array(lines, type=pa.int64())
    return pa.table(arrays)


def read_fills(data: bytes) -> ParsedFile:
    """Fills via Arrow's CSV reader (C++, RFC-4180); the only large file kind."""
    text_head = data[:65536].decode("utf-8", errors="replace").lstrip("\ufeff")
    headers = header_cells(text_head)
    rejected: list[RejectedLine] = []
    trailers: list[int] = []

    def on_invalid_row(row: pacsv.InvalidRow) -> str:
        if PAGE_TRAILER.match(row.text or ""):
            trailers.append(row.number)
        else:
            reason = f"expected {row.expected_columns} fields, found {row.actual_columns}"
            rejected.append(RejectedLine(row.number, row.text, reason))
        return "skip"

    table = pacsv.read_csv(
        pa.BufferReader(data),
        read_options=pacsv.ReadOptions(use_threads=False, block_size=1 << 24),
        parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid_row, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(headers, pa.string()), strings_can_be_null=False
        ),
    )
    table = table.rename_columns([name.strip().lstrip("\ufeff") for name in table.column_names])
    skipped = {rejected_line.line for rejected_line in rejected} | set(trailers)
    total = table.num_rows + len(skipped)
    line_numbers = np.setdiff1d(np.arange(2, total + 2), np.fromiter(skipped, dtype=np.int64))
    table = table.append_column("_line", pa.array(line_numbers, type=pa.int64()))
    if b"\n\n" in data or b"\n\r\n" in data:  # rare; the check over every cell is not free
        table = _drop_blank_rows(table)
    return ParsedFile(FILLS, table, rejected, skipped_lines=len(trailers))


def _drop_blank_rows(table: pa.Table) -> pa.Table:
    """Blank lines are layout, not data: drop rows whose every cell is empty."""
    import pyarrow.compute as pc

    data_columns = [name for name in table.column_names if name != "_line"]
    if not data_columns or table.num_rows == 0:
        return table
    blank = None
    for name in data_columns:
        is_empty = pc.equal(pc.utf8_trim_whitespace(table[name]), "")
        blank = is_empty if blank is None else pc.and_(blank, is_empty)
    return table.filter(pc.invert(blank))


def _csv_rows(data: bytes) -> list[tuple[int, str, list[str]]]:
    """(line number, line text, cells) for every non-blank line."""
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            rows.append((number, line, next(csv.reader([line], skipinitialspace=True))))
    return rows


def read_tabular(kind: FileKind, data: bytes, account_name: str | None) -> ParsedFile:
    """A one-header CSV (summaryByDate, accounts, market data) read with the csv module."""
    rows = _csv_rows(data)
    if not rows:
        return ParsedFile(kind, _strings_table({}, []))
    headers = [cell.strip() for cell in rows[0][2]]
    columns: dict[str, list[str]] = {header: [] for header in headers}
    lines: list[int] = []
    rejected: list[RejectedLine] = []
    skipped = 0
    for number, line, cells in rows[1:]:
        if PAGE_TRAILER.match(line) or (
            kind is SUMMARY_BY_DATE and cells[0].strip() in SUMMARY_TOTAL_ROW_LABELS
        ):
            skipped += 1
            continue
        if len(cells) != len(headers):
            reason = f"expected {len(headers)} fields, found {len(cells)}"
            rejected.append(RejectedLine(number, line, reason))
            continue
        for header, cell in zip(headers, cells, strict=True):
            columns[header].append(cell)
        lines.append(number)
    if account_name is not None and kind is SUMMARY_BY_DATE:
        columns[ACCOUNT_FROM_FOLDER] = [account_name] * len(lines)
    return ParsedFile(kind, _strings_table(columns, lines), rejected, skipped)


def read_totals_by_date(data: bytes, account_name: str) -> ParsedFile:
    """The date-block report: `M/D/YYYY` line, header, one row per symbol, summary lines."""
    columns: dict[str, list[str]] = {ACCOUNT_FROM_FOLDER: [], DATE_FROM_BLOCK: []}
    lines: list[int] = []
    rejected: list[RejectedLine] = []
    skipped = 0
    block_date: str | None = None
    headers: list[str] | None = None
    for number, line, cells in _csv_rows(data):
        date_match = BLOCK_DATE.match(line)
        if date_match:
            block_date, headers = date_match.group(1), None
            continue
        if block_date is not None and headers is None:
            headers = [cell.strip() for cell in cells]
            for header in headers:
                columns.setdefault(header, [""] * len(lines))
            continue
        label = cells[0].strip()
        if PAGE_TRAILER.match(line) or label.startswith(TOTALS_SUMMARY_LABELS):
            skipped += 1
            continue
        if headers is None:
            rejected.append(RejectedLine(number, line, "row outside a dated block"))
            continue
        if len(cells) != len(headers):
            reason = f"expected {len(headers)} fields, found {len(cells)}"
            rejected.append(RejectedLine(number, line, reason))
            continue
        row = dict(zip(headers, cells, strict=True))
        row[ACCOUNT_FROM_FOLDER], row[DATE_FROM_BLOCK] = account_name, block_date
        for header, values in columns.items():
            values.append(row.get(header, ""))
        lines.append(number)
    return ParsedFile(TOTALS_BY_DATE, _strings_table(columns, lines), rejected, skipped)


def read_file(kind: FileKind, data: bytes, account_name: str | None) -> ParsedFile:
    if kind is FILLS:
        return read_fills(data)
    if kind is TOTALS_BY_DATE:
        return read_totals_by_date(data, account_name or "")
    return read_tabular(kind, data, account_name)


def csv_line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    return buffer.getvalue()
