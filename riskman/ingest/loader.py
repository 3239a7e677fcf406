"""Load export files into `raw`: one transaction per run, append-only, versioned by day block.

A file already loaded (same SHA-256) is skipped; a day block identical to its latest known version
adds nothing; a block that differs is a new version (restatement). Rejected rows go to
`raw.quarantine` with file, line, text and reason. Any error rolls the whole run back.
"""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from riskman import settings
from riskman.ingest.blocks import insert_quarantine, load_kind
from riskman.ingest.discover import SourceFile, discover_files, read_source
from riskman.ingest.fills_batch import read_fills_batch
from riskman.ingest.formats import FILLS, MARKET_DAILY
from riskman.ingest.market import default_market_file
from riskman.ingest.readers import read_file
from riskman.ingest.report import FileLoad, IngestReport
from riskman.ingest.schema import ensure_raw_schema, raw_table_has_rows
from riskman.ingest.trader_config import TraderConfigError, parse_trader_config
from riskman.logs import log_step
from riskman.warehouse import connect

logger = logging.getLogger(__name__)

TRADER_CONFIG = "trader_config"
UNRECOGNISED = "unrecognised file: its header matches no PropReports export"
# PropReports dates are US/Eastern: the day of the load there is the latest a row may record.
EASTERN = ZoneInfo("America/New_York")


def ingest_folder(folder: Path, db_path: Path, traders_config: Path | None = None) -> IngestReport:
    """Load every export below `folder`, and the trader config, into the warehouse at `db_path`.

    The trader config is `folder/traders.yaml` when present, else `traders_config` (default:
    $RISKMAN_TRADERS_CONFIG or config/traders.yaml).
    """
    if not folder.is_dir():
        raise FileNotFoundError(f"export folder not found: {folder}")
    report = IngestReport(run_id=uuid.uuid4().hex)
    with log_step(logger, "discover", folder=folder) as step:
        files = discover_files(folder)
        config = _trader_config_path(folder, traders_config)
        if config is not None:
            files.append(read_source(config, kind_name=TRADER_CONFIG))
        if _needs_default_market_data(files, db_path):
            files.append(read_source(default_market_file()))
        step["files"] = len(files)
    report.files_seen = len(files)
    con = connect(db_path)
    try:
        ensure_raw_schema(con)
        _load_files(con, files, report)
    finally:
        con.close()
    return report


def _needs_default_market_data(files: list[SourceFile], db_path: Path) -> bool:
    """Exports came without market data, and the warehouse has none yet."""
    kinds = {f.kind for f in files}
    has_exports = bool(kinds - {None, MARKET_DAILY})
    return has_exports and MARKET_DAILY not in kinds and not raw_table_has_rows(db_path, "market_daily")


def _trader_config_path(folder: Path, explicit: Path | None) -> Path | None:
    for candidate in (folder / "traders.yaml", explicit or settings.traders_config_path()):
        if candidate.is_file():
            return candidate
    return None


def _load_files(con: duckdb.DuckDBPyConnection, files: list[SourceFile], report: IngestReport) -> None:
    known = {row[0] for row in con.execute("select file_sha256 from raw.load_log").fetchall()}
    fresh: list[SourceFile] = []
    for source in files:
        if source.sha256 in known:
            report.files_already_loaded += 1
        else:
            known.add(source.sha256)  # the same bytes twice in one folder load once
            fresh.append(source)
    loaded_at = datetime.now(tz=UTC)
    con.begin()
    try:
        next_seq = con.execute("select coalesce(max(load_seq), 0) from raw.load_log").fetchall()[0][0]
        loads = [FileLoad(s, uuid.uuid4().hex, next_seq + i + 1) for i, s in enumerate(fresh)]
        fills_tables = _parse_all(loads)
        _register_files(con, loads, loaded_at)
        for kind in {load.source.kind for load in loads if load.parsed is not None}:
            with log_step(logger, "load", kind=kind.name) as step:
                kind_loads = [load for load in loads if load.source.kind is kind]
                tables = (
                    fills_tables
                    if kind is FILLS
                    else [_with_file_no(load) for load in kind_loads if load.parsed is not None]
                )
                load_kind(con, kind, kind_loads, tables, loaded_at.astimezone(EASTERN).date())
                step["rows"] = sum(f.rows_loaded for f in loads if f.source.kind is kind)
        for load in loads:
            if load.source.kind_name == TRADER_CONFIG:
                _load_trader_config(con, load)
        _write_rejected_files(con, loads)
        _write_load_log(con, loads, report.run_id)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    report.files.extend(loads)


def _parse_all(loads: list[FileLoad]) -> list[pa.Table]:
    """Parse every file; return the fills cell tables (the other kinds keep theirs per file)."""
    readable = []
    for load in loads:
        if load.source.kind_name == TRADER_CONFIG:
            continue
        if load.source.problem:
            load.status, load.message = "rejected", load.source.problem
        elif load.source.kind is None:
            load.status, load.message = (
                "rejected",
                "unrecognised file: its header matches no PropReports export",
            )
        else:
            readable.append(load)
    fills = [load for load in readable if load.source.kind is FILLS]
    others = [load for load in readable if load.source.kind is not FILLS]
    # The small reports parse in Python on one thread while Arrow parses the fills on the others.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(lambda: [_parse_one(load) for load in others])
        fills_tables = _parse_fills(fills) if fills else []
        pending.result()
    return fills_tables


def _parse_one(load: FileLoad) -> None:
    try:
        load.parsed = read_file(load.source.kind, load.source.data, load.source.account_name)
    except (pa.ArrowInvalid, UnicodeDecodeError, StopIteration, ValueError) as exc:
        load.status, load.message = "rejected", f"unreadable {load.source.kind.name} file: {exc}"


def _parse_fills(loads: list[FileLoad]) -> list[pa.Table]:
    """Fills cell tables with `_file_no`; each load gets its rejected/skipped lines."""
    try:
        batch = read_fills_batch([load.source.data for load in loads])
    except (pa.ArrowInvalid, UnicodeDecodeError, ValueError):
        for load in loads:  # one unreadable file: find it, and read the others alone
            _parse_one(load)
        return [_with_file_no(load) for load in loads if load.parsed is not None]
    seqs = pa.array([load.load_seq for load in loads], type=pa.int64())
    for load, one in zip(loads, batch.files, strict=True):
        load.parsed = one
    return [
        table.append_column("_file_no", pc.take(seqs, table["_batch_index"])).drop_columns("_batch_index")
        for table in batch.tables
    ]


def _with_file_no(load: FileLoad) -> pa.Table:
    cells = load.parsed.cells
    return cells.append_column("_file_no", pa.array([load.load_seq] * cells.num_rows, type=pa.int64()))


def _register_files(con: duckdb.DuckDBPyConnection, loads: list[FileLoad], loaded_at: datetime) -> None:
    meta = pa.table(
        {
            "_file_no": pa.array([load.load_seq for load in loads], type=pa.int64()),
            "_load_id": [load.load_id for load in loads],
            "_source_file": [str(load.source.path) for load in loads],
            "_loaded_at": pa.array([loaded_at] * len(loads), type=pa.timestamp("us", tz="UTC")),
        }
    )
    con.register("files_meta", meta)


def _load_trader_config(con: duckdb.DuckDBPyConnection, load: FileLoad) -> None:
    """Append the whole mapping as a new version (its file hash is new, or we'd not be here)."""
    if load.source.problem:
        load.status, load.message = "rejected", load.source.problem
        return
    try:
        rows = parse_trader_config(load.source.data, load.source.path)
    except TraderConfigError as exc:
        load.status, load.message = "rejected", str(exc)
        return
    con.register("trader_rows", rows)
    con.execute(
        "insert into raw.trader_accounts by name select t.* replace "
        "(cast(t.daily_loss_limit as decimal(18, 6)) as daily_loss_limit), "
        "m._source_file, m._load_id, m._file_no as _load_seq, m._loaded_at "
        "from trader_rows t cross join files_meta m where m._load_id = ?",
        [load.load_id],
    )
    con.unregister("trader_rows")
    load.rows_read = load.rows_loaded = rows.num_rows


def _write_rejected_files(con: duckdb.DuckDBPyConnection, loads: list[FileLoad]) -> None:
    """A file that could not be read at all: one quarantine row for the file, at line 1."""
    insert_quarantine(con, [(load, 1, load.message) for load in loads if load.status == "rejected"])


def _write_load_log(con: duckdb.DuckDBPyConnection, loads: list[FileLoad], run_id: str) -> None:
    if not loads:
        return
    table = pa.table(
        {
            "load_id": [load.load_id for load in loads],
            "load_seq": pa.array([load.load_seq for load in loads], type=pa.int64()),
            "run_id": [run_id] * len(loads),
            "file_kind": [load.source.kind_name for load in loads],
            "account_name": [load.source.account_name for load in loads],
            "file_sha256": [load.source.sha256 for load in loads],
            "file_bytes": pa.array([len(load.source.data) for load in loads], type=pa.int64()),
            "file_modified_at": pa.array(
                [load.source.modified_at for load in loads], type=pa.timestamp("us", tz="UTC")
            ),
            "rows_read": pa.array([load.rows_read for load in loads], type=pa.int64()),
            "rows_loaded": pa.array([load.rows_loaded for load in loads], type=pa.int64()),
            "rows_unchanged": pa.array([load.rows_unchanged for load in loads], type=pa.int64()),
            "rows_quarantined": pa.array([load.rows_quarantined for load in loads], type=pa.int64()),
            "rows_skipped": pa.array(
                [load.parsed.skipped_lines if load.parsed else 0 for load in loads], type=pa.int64()
            ),
            "status": [load.status for load in loads],
            "message": [load.message for load in loads],
        }
    )
    con.register("load_log_rows", table)
    con.execute(
        "insert into raw.load_log by name select l.*, m._source_file as source_file, "
        "m._loaded_at as loaded_at from load_log_rows l join files_meta m on m._load_id = l.load_id"
    )
    con.unregister("load_log_rows")
