"""Write one file kind's parsed rows into `raw`: cast and validate, mark duplicates, append only
the day blocks that are new versions, quarantine the rest with their exact source lines.

Runs inside the ingest transaction, against the `files_meta` relation the loader registered.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pyarrow as pa

from riskman.ingest.casting import typed_query
from riskman.ingest.formats import FileKind
from riskman.ingest.report import FileLoad
from riskman.sql import quote_ident


def load_kind(
    con: duckdb.DuckDBPyConnection,
    kind: FileKind,
    loads: list[FileLoad],
    tables: list[pa.Table],
    load_day: date,
) -> None:
    """Cast, validate, version and insert one kind's rows; `load_day` (US/Eastern) is the latest
    day a row may record."""
    parsed = [load for load in loads if load.parsed is not None]
    _type_cells(con, kind, tables, load_day)
    _mark_duplicates(con, kind)
    _version_blocks(con, kind)
    if kind.natural_key:
        _mark_rows_known_from_other_blocks(con, kind)
    _insert_new_blocks(con, kind)
    _quarantine_rows(con, kind, parsed)
    _count_rows(con, parsed)


def _type_cells(
    con: duckdb.DuckDBPyConnection, kind: FileKind, tables: list[pa.Table], load_day: date
) -> None:
    """`typed`: every row cast, with its reject reason. Tables are typed per header set, so an
    unknown column lands in `extra_columns` only on the rows of files that have it."""
    derived = "".join(f", {expr} as {quote_ident(name)}" for name, expr in kind.derived)
    known = set(kind.by_header())
    groups: dict[tuple[str, ...], list[pa.Table]] = {}
    for table in tables:
        groups.setdefault(tuple(table.column_names), []).append(table)
    con.execute("drop table if exists typed")
    for number, (columns, group) in enumerate(groups.items()):
        headers = [name for name in columns if name not in ("_line", "_file_no")]
        unknown = [h for h in headers if h not in known]
        con.register("cells", pa.concat_tables(group))
        query = typed_query(kind, headers, unknown, load_day)
        select = f"select *{derived}, null::varchar as _known_as from ({query})"
        con.execute(
            f"insert into typed by name {select}" if number else f"create temp table typed as {select}"
        )
        con.unregister("cells")


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


def _block_join(left: str, right: str, kind: FileKind) -> str:
    return " and ".join(
        f"{left}.{quote_ident(c)} is not distinct from {right}.{quote_ident(c)}" for c in kind.block_key
    )


def _version_blocks(con: duckdb.DuckDBPyConnection, kind: FileKind) -> None:
    """`new_blocks`: the day blocks of this run that differ from the version before them (the
    latest already loaded, or an earlier file of this run); only those are inserted."""
    block = ", ".join(quote_ident(c) for c in kind.block_key)
    con.execute("create or replace temp view valid as select * from typed where _reject_reason is null")
    con.execute(f"""
        create or replace temp table batch_blocks as
        select _file_no, {block}, hash(sum(_row_hash::hugeint), count(*)) as _block_hash
        from valid group by _file_no, {block}
    """)
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


def _mark_rows_known_from_other_blocks(con: duckdb.DuckDBPyConnection, kind: FileKind) -> None:
    """Overlapping exports: a row whose natural key the warehouse will already hold in another
    block (a fill under another day or account) adds nothing when its values are the same
    (`_known_as` names where it is), and is quarantined as a conflict when they differ. A
    correction of a fill arrives as a re-export of its own day, which versioning handles."""
    block = ", ".join(quote_ident(c) for c in kind.block_key)
    values = ", ".join(quote_ident(c.name) for c in kind.columns if c.name not in kind.block_key)
    fingerprint = f"hash({values})"
    block_columns = ", ".join(f"i.{quote_ident(c)}" for c in kind.block_key)
    # Every row of this run's new block versions; `_final` when its version is the one the block
    # will hold after the run, `_first_seen` the first file of the run holding it in that block.
    con.execute(f"""
        create or replace temp table incoming as
        with final_blocks as (
            select * from new_blocks qualify _file_no = max(_file_no) over (partition by {block})
        ),
        arrived as (
            select _file_no, _line, {block}, {kind.natural_key} as _natural_key,
                   {fingerprint} as _fingerprint,
                   exists (
                       select 1 from final_blocks as f
                       where f._file_no = v._file_no and {_block_join("f", "v", kind)}
                   ) as _final
            from valid as v
            where exists (
                select 1 from new_blocks as b where b._file_no = v._file_no and {_block_join("b", "v", kind)}
            )
        )
        select *, min(_file_no) over (partition by _natural_key, {block}) as _first_seen from arrived
    """)
    # Of the places a fill will be held after the run (blocks not replaced, final versions),
    # the one known first keeps it; the others are duplicates or conflicts.
    con.execute(f"""
        create or replace temp table known_elsewhere as
        with held as (
            select {block}, {kind.natural_key} as _natural_key, {fingerprint} as _fingerprint,
                   _source_file as _where, _source_line as _where_line,
                   0 as _file_no, 0 as _line, 0 as _first_seen
            from {kind.table} as r
            where {kind.natural_key} in (select _natural_key from incoming where _final)
              and _load_seq = (select max(l._load_seq) from {kind.table} as l
                               where {_block_join("l", "r", kind)})
              and not exists (select 1 from new_blocks as n where {_block_join("n", "r", kind)})
        ),
        arriving as (
            select {block_columns}, i._natural_key, i._fingerprint,
                   m._source_file as _where, i._line as _where_line, i._file_no, i._line, i._first_seen
            from incoming as i join files_meta as m on m._file_no = i._file_no
            where i._final
        ),
        ranked as (
            select *, row_number() over (
                partition by _natural_key order by _first_seen, _file_no, _line
            ) as _rank
            from (select * from held union all by name select * from arriving)
        ),
        firsts as (select * from ranked where _rank = 1)
        select a._file_no, a._line, a._fingerprint = f._fingerprint as _same,
               f._where || ' line ' || f._where_line as _first
        from ranked as a join firsts as f using (_natural_key)
        where a._rank > 1 and a._file_no > 0 and not ({_block_join("a", "f", kind)})
    """)
    con.execute("""
        update typed as t set _known_as = k._first
        from known_elsewhere as k
        where k._same and t._file_no = k._file_no and t._line = k._line
    """)
    con.execute("""
        update typed as t
        set _reject_reason = 'the same fill (PropReports Id, else Account and Fill Id) is loaded from '
                             || k._first || ' with other values; a correction comes as a re-export'
                             || ' of its own day'
        from known_elsewhere as k
        where not k._same and t._file_no = k._file_no and t._line = k._line
    """)


def _insert_new_blocks(con: duckdb.DuckDBPyConnection, kind: FileKind) -> None:
    joined = _block_join("b", "v", kind)
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
        where v._known_as is null
    """)
    con.execute(
        """
        create or replace temp table row_fate as
        select v._file_no, count(*) as valid_rows,
               count(case when b._file_no is not null and v._known_as is null then 1 end) as loaded_rows
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
