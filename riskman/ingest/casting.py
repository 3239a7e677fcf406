"""SQL that turns a table of text cells into typed raw columns plus a rejection reason.

All casting happens inside DuckDB so a million rows cost one vectorised query, not a Python loop.
The query has three levels so each cell is trimmed once and cast once:
cells (text) → trimmed cells `c<i>` → typed values → typed values + `_reject_reason`.
"""

from __future__ import annotations

from datetime import date

from riskman.ingest.formats import (
    DATE_ISO,
    DATE_MDY,
    INT,
    MONEY,
    QUANTITY,
    SQL_TYPES,
    TEXT,
    TIMESTAMP_MDY,
    Column,
    FileKind,
)
from riskman.sql import quote_ident, sql_literal

# Accounting style `(1,234.50)` and thousands separators; plain numbers take the fast path.
_PAREN_NUMBER = r"^\((\d{1,3}(,\d{3})+|\d*)(\.\d+)?\)$"
_GROUPED_NUMBER = r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$"


def quoted(expression: str) -> str:
    """SQL for the text of `expression` between single quotes, for messages."""
    return f"chr(39) || {expression} || chr(39)"


def cast_expression(column: Column, cell: str) -> str:
    """Typed value of a trimmed cell, NULL when empty or malformed."""
    if column.kind == TEXT:
        return cell
    if column.kind in (INT, QUANTITY, MONEY):
        target = SQL_TYPES[column.kind]
        digits = f"replace(replace(replace({cell}, ',', ''), '(', ''), ')', '')"
        paren, grouped = sql_literal(_PAREN_NUMBER), sql_literal(_GROUPED_NUMBER)
        number = (
            f"coalesce(try_cast({cell} as {target}), case "
            f"when regexp_full_match({cell}, {paren}) then -try_cast({digits} as {target}) "
            f"when regexp_full_match({cell}, {grouped}) then try_cast({digits} as {target}) end)"
        )
        if column.kind in (MONEY, QUANTITY):
            return number
        # A cast to an integer would round '1.5' to 2: a fraction is no integer.
        return f"case when contains({cell}, '.') then null else {number} end"
    if column.kind == DATE_MDY:
        return f"cast(try_strptime({cell}, '%m/%d/%Y') as date)"
    if column.kind == DATE_ISO:
        return f"cast(try_strptime({cell}, '%Y-%m-%d') as date)"
    if column.kind == TIMESTAMP_MDY:
        return f"try_strptime({cell}, '%m/%d/%Y %H:%M:%S')"
    raise ValueError(f"unknown column kind {column.kind!r} for {column.header!r}")


def problem_expression(column: Column, cell: str, value: str, latest: date) -> str:
    """A message when the cell is missing (if required), cannot be read as its type, or (for the
    date a row records) lies outside [column.earliest, latest]."""
    label = sql_literal(column.header)
    checks = []
    if column.required:
        checks.append(f"when {cell} is null then {label} || ': missing'")
    if column.kind != TEXT:
        checks.append(
            f"when {cell} is not null and {value} is null "
            f"then {label} || ': cannot read ' || {quoted(cell)} || ' as {column.kind}'"
        )
    if column.choices:
        allowed = ", ".join(sql_literal(choice) for choice in column.choices)
        listed = sql_literal(" is not one of " + ", ".join(column.choices))
        checks.append(f"when {cell} not in ({allowed}) then {label} || ': ' || {quoted(cell)} || {listed}")
    if column.positive:
        checks.append(f"when {value} <= 0 then {label} || ': must be positive, got ' || {cell}")
    if column.earliest is not None:
        day = f"cast({value} as date)"
        checks.append(
            f"when {day} < date '{column.earliest}' then {label} || ': ' || {quoted(cell)} "
            f"|| ' is before {column.earliest}, not a plausible date'"
        )
        checks.append(
            f"when {day} > date '{latest}' then {label} || ': ' || {quoted(cell)} "
            f"|| ' is after the day it was loaded ({latest})'"
        )
    return "case " + " ".join(checks) + " end" if checks else "null"


def typed_query(kind: FileKind, present_headers: list[str], unknown_headers: list[str], latest: date) -> str:
    """SELECT over a `cells` relation: typed columns, extra_columns, _reject_reason, _row_hash.
    `latest` is the day of the load (US/Eastern): no row can record a later day."""
    cell_of = {header: f"c{i}" for i, header in enumerate(present_headers)}
    trimmed = [f"nullif(trim({quote_ident(h)}), '') as {cell_of[h]}" for h in present_headers]
    extras = "cast(null as varchar)"
    if unknown_headers:
        pairs = ", ".join(f"{sql_literal(h)}, {quote_ident(h)}" for h in unknown_headers)
        extras = f"cast(json_object({pairs}) as varchar)"
    # A 64-bit hash is plenty to tell a changed row from an unchanged one, and much cheaper than md5.
    row_hash = "hash(concat_ws(chr(31), " + ", ".join(quote_ident(h) for h in present_headers) + "))"

    typed, outputs, problems = [], [], []
    for column in kind.columns:
        name = quote_ident(column.name)
        if column.header in cell_of:
            cell = cell_of[column.header]
            typed.append(f"{cast_expression(column, cell)} as {name}")
            problems.append(problem_expression(column, cell, name, latest))
        else:
            # Typed, so groups of files with other headers stack into the same table.
            typed.append(f"cast(null as {SQL_TYPES[column.kind]}) as {name}")
            if column.required:
                problems.append(sql_literal(f"{column.header}: column missing from file"))
        outputs.append(name)
    reason = "nullif(concat_ws('; ', " + ", ".join(problems or ["null"]) + "), '')"
    carried = "extra_columns, _row_hash, _file_no, _line"
    return f"""
        select {", ".join(outputs)}, {reason} as _reject_reason, {carried}
        from (
            select *, {", ".join(typed)}
            from (
                select {", ".join(trimmed)}, {extras} as extra_columns, {row_hash} as _row_hash,
                       _file_no, _line
                from cells
            )
        )
    """
