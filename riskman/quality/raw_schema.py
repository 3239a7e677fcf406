"""The raw schema contract: every raw table has exactly the columns and SQL types ingest creates.

Checked on `information_schema` rather than on the data frames, where DuckDB's types are already
blurred (DECIMAL arrives as float64), and once for all raw tables.
"""

from __future__ import annotations

from functools import cache

import duckdb

from riskman.ingest.schema import ensure_raw_schema
from riskman.quality import rules as r
from riskman.quality.spec import CheckedTable

SIGNATURE_SQL = """
    select table_name, column_name, data_type,
           table_name || '.' || column_name || ' ' || data_type as column_signature
    from information_schema.columns where table_schema = 'raw'
"""


@cache
def expected_raw_columns() -> list[str]:
    """`table.column TYPE` for every raw column, from the DDL ingest creates the tables with."""
    con = duckdb.connect()
    try:
        ensure_raw_schema(con)
        return sorted(row[-1] for row in con.execute(SIGNATURE_SQL).fetchall())
    finally:
        con.close()


def _schema() -> list:
    expected = expected_raw_columns()
    why = "raw tables have the columns and SQL types ingest creates; staging reads them by name"
    return [
        r.in_set("column_signature", expected, f"no unknown or retyped column: {why}"),
        r.contains_all("column_signature", expected, f"none missing: {why}"),
    ]


def raw_schema_check() -> CheckedTable:
    # Skipped until ingest has created the raw schema (the load log is its first table).
    return CheckedTable("raw_schema", "raw", SIGNATURE_SQL, _schema, ("column_signature",), ("raw.load_log",))
