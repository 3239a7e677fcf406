"""Quoting for SQL built in Python: one rule for identifiers, relations and string literals."""

from __future__ import annotations


def quote_ident(name: str) -> str:
    """`name` as a double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def quote_relation(relation: str) -> str:
    """`schema.table` with each part quoted."""
    return ".".join(quote_ident(part) for part in relation.split("."))


def sql_literal(text: str) -> str:
    """`text` as a single-quoted SQL string literal."""
    return "'" + text.replace("'", "''") + "'"
