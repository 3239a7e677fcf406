"""What a data check is: one suite of expectations over one check frame read from the warehouse."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from great_expectations.expectations import Expectation

# Severities, as GX stores them. Critical: no prediction may run on this data. Warning: report it.
CRITICAL, WARNING, INFO = "critical", "warning", "info"


@dataclass(frozen=True)
class CheckedTable:
    """One GX suite: the SQL that builds its check frame and the expectations it must meet.

    `query` reads the warehouse (read-only) and may add `chk_*` columns computed in SQL: a
    per-row ratio or a per-trader statistic is one vectorised SQL expression, where GX would
    need one batch per group. `requires` are the relations the query reads; when one is missing
    the suite is skipped, not failed (marts land after raw). `keys` name the rows a failure
    is attributed to; `parameters` are the `$PARAMETER`s its expectations use. With an
    `empty_reason`, a frame without rows is expected (the suite judges a subset that may be
    empty) and the suite is skipped with that reason instead of run.
    """

    suite: str
    table: str
    query: str
    expectations: Callable[[], list[Expectation]]
    keys: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()
    empty_reason: str | None = None

    @property
    def relations(self) -> tuple[str, ...]:
        return self.requires or (self.table,)
