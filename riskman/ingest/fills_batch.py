"""Many fills files in one multi-threaded Arrow read per header, with exact line numbers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from riskman.ingest.formats import FILLS
from riskman.ingest.readers import ParsedFile, header_cells, read_fills
from riskman.propreports_paging import PAGE_TRAILER


@dataclass
class FillsBatch:
    """Fills of many files: a few large tables (`_batch_index` = file position, `_line`) plus,
    per file, what was rejected or skipped. Few large chunks load into DuckDB much faster than
    one small table per file."""

    tables: list[pa.Table]
    files: list[ParsedFile]


def read_fills_batch(datas: list[bytes]) -> FillsBatch:
    """Many fills files at once: files sharing a header are parsed as one multi-threaded read.

    Line numbers come from each file's newline count. A group holding anything unusual (a
    malformed row, a blank line, a quoted newline) is halved until the unusual file is read alone,
    by the exact per-file reader.
    """
    batch = FillsBatch(tables=[], files=[ParsedFile(FILLS, None) for _ in datas])
    groups: dict[bytes, list[int]] = {}
    for index, data in enumerate(datas):
        groups.setdefault(data.split(b"\n", 1)[0].rstrip(b"\r"), []).append(index)
    for header, members in groups.items():
        _read_fills_bisecting(header, members, datas, batch)
    return batch


def _read_fills_bisecting(header: bytes, members: list[int], datas: list[bytes], batch: FillsBatch) -> None:
    if len(members) == 1:
        one = read_fills(datas[members[0]])
        batch.files[members[0]] = ParsedFile(FILLS, None, one.rejected, one.skipped_lines)
        batch.tables.append(_with_batch_index(one.cells, np.full(one.cells.num_rows, members[0])))
        return
    if _read_fills_group(header, members, datas, batch):
        return
    middle = len(members) // 2
    _read_fills_bisecting(header, members[:middle], datas, batch)
    _read_fills_bisecting(header, members[middle:], datas, batch)


def _with_batch_index(table: pa.Table, indices: np.ndarray) -> pa.Table:
    return table.append_column("_batch_index", pa.array(indices, type=pa.int64()))


def _read_fills_group(header: bytes, members: list[int], datas: list[bytes], batch: FillsBatch) -> bool:
    bodies, counts, trailers = [], [], []
    for index in members:
        data = datas[index]
        body = data.split(b"\n", 1)[1] if b"\n" in data else b""
        body, trailer = _without_page_trailer(body)
        if b"\n\n" in body or b"\n\r\n" in body:
            return False
        if body and not body.endswith(b"\n"):
            body += b"\n"
        bodies.append(body)
        counts.append(body.count(b"\n"))
        trailers.append(trailer)
    invalid: list[pacsv.InvalidRow] = []

    def on_invalid_row(row: pacsv.InvalidRow) -> str:
        invalid.append(row)
        return "skip"

    headers = header_cells(header.decode("utf-8", errors="replace").lstrip("\ufeff"))
    table = pacsv.read_csv(
        pa.BufferReader(header + b"\n" + b"".join(bodies)),
        read_options=pacsv.ReadOptions(use_threads=True, block_size=1 << 22),
        parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid_row, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(headers, pa.string()), strings_can_be_null=False
        ),
    )
    if invalid or table.num_rows != sum(counts):
        return False
    table = table.rename_columns([name.strip().lstrip("\ufeff") for name in table.column_names])
    lengths = np.array(counts, dtype=np.int64)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    lines = np.arange(table.num_rows, dtype=np.int64) - starts + 2
    table = table.append_column("_line", pa.array(lines, type=pa.int64()))
    batch.tables.append(_with_batch_index(table, np.repeat(np.array(members, dtype=np.int64), lengths)))
    for index, trailer in zip(members, trailers, strict=True):
        batch.files[index] = ParsedFile(FILLS, None, [], skipped_lines=int(trailer))
    return True


def _without_page_trailer(body: bytes) -> tuple[bytes, bool]:
    """Strip an API page's closing `Page n/m` line (it carries no data)."""
    stripped = body.rstrip(b"\r\n")
    cut = stripped.rfind(b"\n")
    last = stripped[cut + 1 :]
    if PAGE_TRAILER.match(last.decode("utf-8", errors="replace")):
        return stripped[: cut + 1], True
    return body, False
