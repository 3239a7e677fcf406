"""Write one file kind's parsed rows into `raw`: cast and validate, mark duplicates, append only
the day blocks that are new versions, quarantine the rest with their exact source lines.

Runs inside the ingest transaction, against the `files_meta` relation the loader registered.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from riskman.ingest.casting import typed_query
from riskman.ingest.formats import FileKind
from riskman.ingest.report import FileLoad
from riskman.sql import quote_ident


def load_kind(
    con: duckdb.DuckDBPyConnection, kind: FileKind, loads: list[FileLoad], tables: list[pa.Table]
) -> None:
    parsed = [load for load in loads if load.parsed is not None]
    cells = pa.concat_tables(tables, promote_options="permissive")
    headers = [name for name in cells.column_names if name not in ("_line", "_file_no")]
    known = set(kind.by_header())
    unknown = [h for h in headers if h not in known]
    con.register("cells", cells)
    derived = "".join(f", {expr} as {quote_ident(name)}" for name, expr in kind.derived)
    con.execute(f"""
        create or replace temp table typed as
        select *{derived} from ({typed_query(kind, headers, unknown)})
    """)
    _mark_duplicates(con, kind)
    con.unregister("cells")
    _insert_new_blocks(con, kind)
    _quarantine_rows(con, kind, parsed)
    _count_rows(con, parsed)


def _mark_duplicates(con: duckdb.DuckDBPyConnection, kind: FileKind) -> None:
    """A later row with the same key as an earlier one in the same file is a duplicate."""
    key = [quote_ident(c) for c in kind.row_key]
    matches = " and ".join(f"t.{c} = d.{c}" for c in key)
    # Group first (cheap) and touch only the few keys that repeat.
    con.execute(f"""
        update typed as t
        set _reject_reason = 'duplicate of line ' || d.first_line || ' ({" / ".join(kind.row_key)})'
        from (
            select _file_no, {", ".join(key)}, min(_line) as first_line
            from typed group by _file_no, {", ".join(key)} having count(*) > 1
        ) as d
        where t._file_no = d._file_no and {matches} and t._line > d.first_line
          and t._reject_reason is null
    """)


def _insert_new_blocks(con: duckdb.DuckDBPyConnection, kind: FileKind) -> None:
    block = ", ".join(quote_ident(c) for c in kind.block_key)
    joined = " and ".join(
        f"b.{quote_ident(c)} is not distinct from v.{quote_ident(c)}" for c in kind.block_key
    )
    con.execute("create or replace temp view valid as select * from typed where _reject_reason is null")
    con.execute(f"""
        create or replace temp table batch_blocks as
        select _file_no, {block}, hash(sum(_row_hash::hugeint), count(*)) as _block_hash
        from valid group by _file_no, {block}
    """)
    # Compare every block with the version before it: the latest already loaded, or an
    # earlier file of this run. Only blocks that differ from their predecessor are new.
    con.execute(f"""
        create or replace temp table new_blocks as
        with known as (
            select {block}, _block_hash, _load_seq as _file_no from {kind.table}
            qualify row_number() over (partition by {block} order by _load_seq desc) = 1
        ),
        ordered as (
            select *, lag(_block_hash) over (partition by {block} order by _file_no) as previous
            from (select * from known
                  union all by name select * from batch_blocks)
        )
        select * exclude (previous) from ordered
        where _file_no in (select _file_no from batch_blocks)
          and (previous is null or previous <> _block_hash)
    """)
    columns = [c.name for c in kind.columns] + [name for name, _ in kind.derived]
    names = ", ".join(quote_ident(c) for c in columns)
    values = ", ".join(f"v.{quote_ident(c)}" for c in columns)
    con.execute(f"""
        insert into {kind.table} ({names}, extra_columns, _row_hash, _block_hash, _source_line,
                                  _source_file, _load_id, _load_seq, _loaded_at)
        select {values}, v.extra_columns, v._row_hash, b._block_hash, v._line,
               m._source_file, m._load_id, m._file_no, m._loaded_at
        from valid v
        join new_blocks b on b._file_no = v._file_no and {joined}
        join files_meta m on m._file_no = v._file_no
    """)
    con.execute(
        """
        create or replace temp table row_fate as
        select v._file_no, count(*) as valid_rows, count(b._file_no) as loaded_rows
        from valid v left join new_blocks b on b._file_no = v._file_no and """
        + joined
        + """
        group by v._file_no
    """
    )


def _quarantine_rows(con: duckdb.DuckDBPyConnection, kind: FileKind, loads: list[FileLoad]) -> None:
    by_seq = {load.load_seq: load for load in loads}
    rejected = con.execute(
        "select _file_no, _line, _reject_reason from typed where _reject_reason is not null"
    ).fetchall()
    rows = [(by_seq[file_no], line, reason) for file_no, line, reason in rejected]
    for load in loads:
        rows.extend((load, bad.line, bad.reason) for bad in load.parsed.rejected)
    for load, _, _ in rows:
        load.rows_quarantined += 1
    insert_quarantine(con, rows)


def _source_line(load: FileLoad, line: int | None, cache: dict[str, list[str]]) -> str | None:
    if load.load_id not in cache:
        cache[load.load_id] = load.source.data.decode("utf-8", errors="replace").splitlines()
    lines = cache[load.load_id]
    return lines[line - 1] if line and 0 < line <= len(lines) else None


def insert_quarantine(con: duckdb.DuckDBPyConnection, rows: list[tuple[FileLoad, int | None, str]]) -> None:
    """Quarantine rows with the exact text of their source line."""
    if not rows:
        return
    cache: dict[str, list[str]] = {}
    table = pa.table(
        {
            "_load_id": [load.load_id for load, _, _ in rows],
            "file_kind": [load.source.kind_name for load, _, _ in rows],
            "line_number": pa.array([line for _, line, _ in rows], type=pa.int64()),
            "raw_text": [_source_line(load, line, cache) for load, line, _ in rows],
            "reason": [reason for _, _, reason in rows],
        }
    )
    con.register("quarantine_rows", table)
    con.execute(
        "insert into raw.quarantine by name select q.*, m._source_file, m._loaded_at "
        "from quarantine_rows q join files_meta m using (_load_id)"
    )
    con.unregister("quarantine_rows")


def _count_rows(con: duckdb.DuckDBPyConnection, loads: list[FileLoad]) -> None:
    fate = {row[0]: row[1:] for row in con.execute("select * from row_fate").fetchall()}
    for load in loads:
        valid, loaded = fate.get(load.load_seq, (0, 0))
        load.rows_loaded, load.rows_unchanged = loaded, valid - loaded
        load.rows_read = valid + load.rows_quarantined
