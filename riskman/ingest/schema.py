"""The `raw` landing schema (append-only, bitemporal)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from riskman.ingest.formats import FILE_KINDS, SQL_TYPES, FileKind
from riskman.ingest.trader_config import TRADER_ACCOUNTS_DDL
from riskman.sql import quote_ident
from riskman.warehouse import connect

# Load metadata every raw row carries (docs/architecture.md §4: raw is bitemporal).
LOAD_COLUMNS = """
    extra_columns varchar,
    _row_hash ubigint not null,
    _block_hash ubigint not null,
    _source_line bigint not null,
    _source_file varchar not null,
    _load_id varchar not null,
    _load_seq bigint not null,
    _loaded_at timestamptz not null
"""

LOAD_LOG_DDL = """
create table if not exists raw.load_log (
    load_id varchar primary key,
    load_seq bigint not null,
    run_id varchar not null,
    source_file varchar not null,
    file_kind varchar,
    account_name varchar,
    file_sha256 varchar not null,
    file_bytes bigint not null,
    file_modified_at timestamptz,
    loaded_at timestamptz not null,
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_unchanged bigint not null,
    rows_quarantined bigint not null,
    rows_skipped bigint not null,
    status varchar not null,
    message varchar
)
"""

QUARANTINE_DDL = """
create table if not exists raw.quarantine (
    _load_id varchar not null,
    _source_file varchar not null,
    file_kind varchar,
    line_number bigint,
    raw_text varchar,
    reason varchar not null,
    _loaded_at timestamptz not null
)
"""


def raw_table_ddl(kind: FileKind) -> str:
    typed = [f"{column.name} {SQL_TYPES[column.kind]}" for column in kind.columns]
    derived = [f"{name} date" for name, _ in kind.derived]
    body = ",\n    ".join(typed + derived)
    return f"create table if not exists {kind.table} (\n    {body},\n{LOAD_COLUMNS})"


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw landing tables if absent, and widen a column an earlier version created
    narrower (quantities were whole numbers before they were decimals); values never change."""
    con.execute("create schema if not exists raw")
    con.execute(LOAD_LOG_DDL)
    con.execute(QUARANTINE_DDL)
    con.execute(TRADER_ACCOUNTS_DDL)
    for kind in FILE_KINDS:
        con.execute(raw_table_ddl(kind))
        _widen_columns(con, kind)


def _widen_columns(con: duckdb.DuckDBPyConnection, kind: FileKind) -> None:
    schema, table = kind.table.split(".")
    existing = dict(
        con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()
    )
    for column in kind.columns:
        wanted = SQL_TYPES[column.kind]
        if existing.get(column.name, "").replace(" ", "").lower() not in ("", wanted.replace(" ", "")):
            con.execute(
                f"alter table {kind.table} alter column {quote_ident(column.name)} set data type {wanted}"
            )


def raw_table_has_rows(db_path: Path, table: str) -> bool:
    """`raw.<table>` exists in the warehouse at `db_path` and holds at least one row."""
    if not db_path.exists():
        return False
    with connect(db_path, read_only=True) as con:
        found = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = ?",
            [table],
        ).fetchall()[0][0]
        return (
            bool(found) and con.execute(f"select count(*) from raw.{quote_ident(table)}").fetchall()[0][0] > 0
        )
