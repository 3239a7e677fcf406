"""SQL that turns a table of text cells into typed raw columns plus a rejection reason.

All casting happens inside DuckDB so a million rows cost one vectorised query, not a Python loop.
"""

from __future__ import annotations

from riskman.ingest.formats import (
    DATE_ISO,
    DATE_MDY,
    INT,
    MONEY,
    SQL_TYPES,
    TEXT,
    TIMESTAMP_MDY,
    Column,
    FileKind,
)

# Plain `-1234.5`, `1,234.50`, or accounting style `(1,234.50)`; nothing else is a number.
_PLAIN_NUMBER = r"^[-+]?(\d{1,3}(,\d{3})+|\d*)(\.\d+)?$"
_PAREN_NUMBER = r"^\((\d{1,3}(,\d{3})+|\d*)(\.\d+)?\)$"
_INTEGER = r"^[-+]?(\d{1,3}(,\d{3})+|\d+)$"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def quoted(expression: str) -> str:
    """SQL for the text of `expression` between single quotes, for messages."""
    return f"chr(39) || {expression} || chr(39)"


def _cell(header: str) -> str:
    return f"nullif(trim({quote_ident(header)}), '')"


def cast_expression(column: Column) -> str:
    """Typed value of a cell, NULL when empty or malformed."""
    cell = _cell(column.header)
    if column.kind == TEXT:
        return cell
    if column.kind == INT:
        return f"try_cast(replace({cell}, ',', '') as bigint)"
    if column.kind == MONEY:
        digits = f"replace(replace(replace({cell}, ',', ''), '(', ''), ')', '')"
        money = SQL_TYPES[MONEY]
        return (
            f"case when regexp_full_match({cell}, {sql_literal(_PAREN_NUMBER)}) "
            f"then -try_cast({digits} as {money}) "
            f"when regexp_full_match({cell}, {sql_literal(_PLAIN_NUMBER)}) "
            f"then try_cast({digits} as {money}) end"
        )
    if column.kind == DATE_MDY:
        return f"cast(try_strptime({cell}, '%m/%d/%Y') as date)"
    if column.kind == DATE_ISO:
        return f"cast(try_strptime({cell}, '%Y-%m-%d') as date)"
    if column.kind == TIMESTAMP_MDY:
        return f"try_strptime({cell}, '%m/%d/%Y %H:%M:%S')"
    raise ValueError(f"unknown column kind {column.kind!r} for {column.header!r}")


def problem_expression(column: Column) -> str:
    """A message when the cell is missing (if required) or cannot be read as its type."""
    cell = _cell(column.header)
    label = sql_literal(column.header)
    checks = []
    if column.required:
        checks.append(f"when {cell} is null then {label} || ': missing'")
    if column.kind == INT:
        checks.append(
            f"when {cell} is not null and not regexp_full_match({cell}, {sql_literal(_INTEGER)}) "
            f"then {label} || ': not an integer ''' || {cell} || ''''"
        )
    elif column.kind != TEXT:
        checks.append(
            f"when {cell} is not null and ({cast_expression(column)}) is null "
            f"then {label} || ': cannot read ''' || {cell} || ''' as {column.kind}'"
        )
    if column.choices:
        allowed = ", ".join(sql_literal(choice) for choice in column.choices)
        listed = sql_literal(" is not one of " + ", ".join(column.choices))
        checks.append(f"when {cell} not in ({allowed}) then {label} || ': ' || {quoted(cell)} || {listed}")
    if column.positive:
        checks.append(
            f"when ({cast_expression(column)}) <= 0 then {label} || ': must be positive, got ' || {cell}"
        )
    if not checks:
        return "null"
    return "case " + " ".join(checks) + " end"


def typed_select(kind: FileKind, present_headers: list[str], unknown_headers: list[str]) -> str:
    """SELECT list over a `cells` relation: typed columns, extras, reason, row hash."""
    present = set(present_headers)
    typed, problems = [], []
    for column in kind.columns:
        if column.header in present:
            typed.append(f"{cast_expression(column)} as {quote_ident(column.name)}")
            problems.append(problem_expression(column))
        else:
            typed.append(f"null as {quote_ident(column.name)}")
            if column.required:
                problems.append(sql_literal(f"{column.header}: column missing from file"))
    extras = "null"
    if unknown_headers:
        pairs = ", ".join(f"{sql_literal(h)}, {quote_ident(h)}" for h in unknown_headers)
        extras = f"cast(json_object({pairs}) as varchar)"
    reason = "nullif(concat_ws('; ', " + ", ".join(problems or ["null"]) + "), '')"
    every_cell = [quote_ident(h) for h in present_headers]
    row_hash = "md5(concat_ws('\x1f', " + ", ".join(every_cell) + "))"
    return ",\n  ".join(
        typed
        + [
            f"{extras} as extra_columns",
            f"{reason} as _reject_reason",
            f"{row_hash} as _row_hash",
            "_file_no",
            "_line",
        ]
    )
