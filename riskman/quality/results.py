"""Check results: one row per expectation, the run's report, and the `quality.check_results` table."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

# The table's columns are declared in riskman.dbt, which creates it before every dbt run.
from riskman.dbt import CHECK_RESULTS_DDL as CHECK_RESULTS_DDL
from riskman.dbt import create_check_results_table
from riskman.quality.spec import CRITICAL, INFO, WARNING, CheckedTable
from riskman.warehouse import connect

SEVERITIES = (CRITICAL, WARNING, INFO)
SAMPLE_SIZE = 5
TEXT_LIMIT = 2000


@dataclass(frozen=True)
class CheckResult:
    """One expectation's outcome in one run: a row of `quality.check_results`."""

    run_id: str
    checked_at: datetime
    suite: str
    table_name: str
    expectation_type: str
    column_name: str | None
    severity: str
    success: bool
    unexpected_count: int | None
    observed_value: str | None
    sample: str | None
    message: str | None

    def describe(self) -> str:
        count = "" if self.unexpected_count is None else f" unexpected={self.unexpected_count}"
        column = f" column={self.column_name}" if self.column_name else ""
        text = f"{self.severity}: {self.suite} {self.expectation_type}{column}{count}"
        text += f" ({self.message})" if self.message else ""
        evidence = brief_sample(self.sample)
        return text + (f": {evidence}" if evidence else "")


def brief_sample(sample: str | None, rows: int = 3) -> str:
    """The first failing rows of a stored sample as `key=value` text, for a one-line summary."""
    if not sample:
        return ""
    try:
        values = json.loads(sample)
    except ValueError:
        return sample[:200]
    if not isinstance(values, list):
        return str(values)[:200]

    def cell(value: Any) -> str:
        text = str(value)
        return text.removesuffix(" 00:00:00")  # a date read as a timestamp

    shown = [
        " ".join(f"{key}={cell(value)}" for key, value in row.items()) if isinstance(row, dict) else cell(row)
        for row in values[:rows]
    ]
    more = "; …" if len(values) > rows else ""
    return "; ".join(shown) + more


@dataclass
class QualityReport:
    """What a run of the data checks found; `ok` is False when a critical expectation failed."""

    run_id: str
    checked_at: datetime
    results: list[CheckResult] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # suite -> why it did not run
    seconds: float = 0.0
    data_docs: Path | None = None

    @property
    def failures(self) -> list[CheckResult]:
        order = {severity: i for i, severity in enumerate(SEVERITIES)}
        failed = [result for result in self.results if not result.success]
        return sorted(failed, key=lambda r: (order.get(r.severity, 9), r.suite, r.column_name or ""))

    @property
    def critical_failures(self) -> list[CheckResult]:
        return [result for result in self.failures if result.severity == CRITICAL]

    @property
    def ok(self) -> bool:
        return not self.critical_failures

    def failed_by_severity(self) -> dict[str, int]:
        counts = Counter(result.severity for result in self.failures)
        return {severity: counts.get(severity, 0) for severity in SEVERITIES}

    def summary(self) -> str:
        """A few lines for the CLI: totals, then every failing expectation by name."""
        suites = len({result.suite for result in self.results})
        failed = ", ".join(f"{sev} {n}" for sev, n in self.failed_by_severity().items())
        lines = [
            f"data checks: {len(self.results)} expectations in {suites} suites, "
            f"{len(self.skipped)} skipped; failed: {failed} ({self.seconds:.1f}s)"
        ]
        lines += [f"  skipped: {suite} ({why})" for suite, why in self.skipped.items()]
        lines += [f"  {result.describe()}" for result in self.failures]
        if self.data_docs:
            lines.append(f"  data docs: {self.data_docs}")
        return "\n".join(lines)


def _plain(value: Any) -> Any:
    """numpy arrays and scalars as JSON-able Python values; anything else as text."""
    return value.tolist() if hasattr(value, "tolist") else str(value)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, default=_plain)
    return None if text in ("[]", "{}") else text[:TEXT_LIMIT]


def _column(kwargs: dict) -> str | None:
    if "column" in kwargs:
        return kwargs["column"]
    pair = [kwargs[k] for k in ("column_A", "column_B") if k in kwargs]
    columns = pair or kwargs.get("column_list") or []
    return ",".join(columns) or None


def _sample(result: dict, kwargs: dict) -> Any:
    """The evidence: failing rows by key, else failing values, else what is missing."""
    rows = result.get("partial_unexpected_index_list") or []
    if rows and isinstance(rows[0], dict):
        return rows[:SAMPLE_SIZE]
    values = result.get("partial_unexpected_list")
    if values:
        return values[:SAMPLE_SIZE]
    observed, expected = result.get("observed_value"), kwargs.get("value_set")
    if isinstance(observed, list) and expected:  # a "contains set": name what is missing
        return sorted(set(map(str, expected)) - set(map(str, observed)))[:SAMPLE_SIZE] or None
    return result.get("details")


def result_rows(check: CheckedTable, validation: Any, run_id: str, checked_at: datetime) -> list[CheckResult]:
    """One CheckResult per expectation in a GX validation result."""
    rows = []
    for outcome in validation.results:
        config = outcome.expectation_config
        result = outcome.result or {}
        error = (outcome.exception_info or {}).get("exception_message")
        observed = result.get("observed_value")
        rows.append(
            CheckResult(
                run_id=run_id,
                checked_at=checked_at,
                suite=check.suite,
                table_name=check.table,
                expectation_type=config.type,
                column_name=_column(config.kwargs),
                severity=config.severity.value,
                success=bool(outcome.success),
                unexpected_count=result.get("unexpected_count"),
                # A whole-column statistic (a max, a row count) is the evidence by itself.
                observed_value=_text(observed),
                sample=None if outcome.success else _text(_sample(result, config.kwargs)),
                message=error or (None if outcome.success else (config.meta or {}).get("why")),
            )
        )
    return rows


def write_results(db_path: Path, results: list[CheckResult]) -> None:
    """Append the run's rows to `quality.check_results` in one short write transaction."""
    frame = pd.DataFrame(
        [asdict(result) for result in results], columns=list(CheckResult.__dataclass_fields__)
    )
    frame["unexpected_count"] = frame["unexpected_count"].astype("Int64")
    con = connect(db_path)
    try:
        create_check_results_table(con)
        con.register("check_rows", frame)
        con.execute("insert into quality.check_results by name select * from check_rows")
        con.unregister("check_rows")
    finally:
        con.close()
