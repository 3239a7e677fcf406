"""Which traders a critical data-check failure stops predictions for (docs/architecture.md §6).

`riskman build` runs the data checks and stores every expectation's outcome in
`quality.check_results`. A critical failure means no prediction may run on that data. The failing
rows are named by their keys in the stored sample, so:
- when every failing row is in the sample and each names a trader (by `trader_id`, or by
  `account_name` mapped to its trader), only those traders are stopped;
- otherwise (a table-level failure, a row count, more failing rows than were sampled) nobody can
  be told apart, and the whole firm is stopped.
The latest check run is the one that judges the data as it is now.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import duckdb
import pandas as pd

FIRM = "firm"


@dataclass(frozen=True)
class DataGate:
    check_run_id: str | None
    blocked: dict[str, str] = field(default_factory=dict)  # trader_id (or FIRM) -> why

    @property
    def firm_blocked(self) -> bool:
        return FIRM in self.blocked

    def allows(self, trader_id: str) -> bool:
        return not self.firm_blocked and trader_id not in self.blocked


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def latest_critical_failures(con: duckdb.DuckDBPyConnection) -> tuple[str | None, pd.DataFrame]:
    """The latest check run's id and its failed critical expectations (none when checks never ran)."""
    if not _has_table(con, "quality", "check_results"):
        return None, pd.DataFrame()
    latest = con.execute(
        "select run_id from quality.check_results order by checked_at desc, run_id desc limit 1"
    ).fetchone()
    if latest is None:
        return None, pd.DataFrame()
    failures = con.execute(
        """select suite, table_name, expectation_type, column_name, unexpected_count, sample, message
           from quality.check_results
           where run_id = ? and severity = 'critical' and not success""",
        [latest[0]],
    ).df()
    return latest[0], failures


def account_traders(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    if not _has_table(con, "intermediate", "int_accounts_mapped_to_traders"):
        return {}
    rows = con.execute(
        "select account_name, trader_id from intermediate.int_accounts_mapped_to_traders"
    ).fetchall()
    return dict(rows)


def named_traders(sample: str | None, unexpected_count, accounts: dict[str, str]) -> set[str] | None:
    """The traders behind every failing row, or None when the sample cannot name all of them."""
    try:
        rows = json.loads(sample) if sample else None
    except ValueError:
        return None
    if not isinstance(rows, list) or not rows or not all(isinstance(row, dict) for row in rows):
        return None
    if unexpected_count is None or pd.isna(unexpected_count) or int(unexpected_count) > len(rows):
        return None
    traders = set()
    for row in rows:
        trader = row.get("trader_id") or accounts.get(row.get("account_name"))
        if not trader:
            return None
        traders.add(str(trader))
    return traders


def describe(failure) -> str:
    column = f" on {failure.column_name}" if failure.column_name else ""
    return f"critical data check failed: {failure.suite} {failure.expectation_type}{column}"


def data_gate(con: duckdb.DuckDBPyConnection) -> DataGate:
    run_id, failures = latest_critical_failures(con)
    if failures.empty:
        return DataGate(run_id)
    accounts = account_traders(con)
    blocked: dict[str, str] = {}
    for failure in failures.itertuples(index=False):
        traders = named_traders(failure.sample, failure.unexpected_count, accounts)
        for subject in traders if traders is not None else {FIRM}:
            blocked.setdefault(subject, describe(failure))
    return DataGate(run_id, blocked)
