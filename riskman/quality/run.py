"""Run every data-check suite on the warehouse, store the results, and build Data Docs once."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

from riskman.logs import log_step
from riskman.quality.context import SetUpCheck, get_context, gx_root, prune_validation_results, set_up
from riskman.quality.mart_suites import mart_checks, mart_parameters
from riskman.quality.raw_suites import raw_checks
from riskman.quality.results import CheckResult, QualityReport, result_rows, write_results
from riskman.quality.spec import CRITICAL, CheckedTable
from riskman.warehouse import connect

logger = logging.getLogger(__name__)

DATA_DOCS_INDEX = Path("gx/uncommitted/data_docs/local_site/index.html")


def all_checks(manifest: Path | None = None) -> list[CheckedTable]:
    """Raw landing suites first, then the marts (feature suites from dbt's manifest)."""
    return raw_checks() + mart_checks(manifest)


def set_up_suites(gx_dir: Path | None = None, checks: list[CheckedTable] | None = None) -> list[SetUpCheck]:
    """Write the GX project (suites, validation definitions, checkpoints) without running it."""
    return set_up(get_context(gx_dir or gx_root()), all_checks() if checks is None else checks)


def run_data_checks(
    db_path: Path,
    *,
    gx_dir: Path | None = None,
    checks: list[CheckedTable] | None = None,
    today: date | None = None,
) -> QualityReport:
    """Validate every checked table in the warehouse at `db_path`; see QualityReport.

    Each frame is read through a short read-only connection, closed before GX runs, and the
    results are written afterwards in one short write: the warehouse keeps a single writer.
    A suite whose tables do not exist yet is skipped, not failed.
    """
    started = time.perf_counter()
    checked_at = datetime.now(tz=UTC)
    run_id = f"{checked_at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    report = QualityReport(run_id=run_id, checked_at=checked_at)
    root = gx_dir or gx_root()
    with log_step(logger, "data_checks", db=db_path, run_id=run_id) as step:
        relations, parameters = _warehouse_facts(db_path, today or date.today())
        context = get_context(root)
        # Set up every suite, runnable or not, so the committed GX files never depend on the data.
        pages: list = []
        for ready in set_up(context, all_checks() if checks is None else checks):
            why = _skip_reason(ready.check, relations, parameters)
            if why:
                report.skipped[ready.check.suite] = why
                continue
            rows, keys, empty = _run_suite(ready, db_path, parameters, run_id, checked_at)
            if empty:
                report.skipped[ready.check.suite] = ready.check.empty_reason
                continue
            report.results += rows
            pages += [*keys, ExpectationSuiteIdentifier(name=ready.check.suite)]
        write_results(db_path, report.results)
        prune_validation_results(root)
        # Only this run's pages (and the index): re-rendering every stored result takes seconds.
        context.build_data_docs(resource_identifiers=pages)
        report.data_docs = root / DATA_DOCS_INDEX
        report.seconds = time.perf_counter() - started
        step.update(
            report.failed_by_severity(), expectations=len(report.results), skipped=len(report.skipped)
        )
    return report


def _warehouse_facts(db_path: Path, today: date) -> tuple[set[str], dict[str, object]]:
    """The relations that exist and the `$PARAMETER` values, read in one short connection."""
    con = connect(db_path, read_only=True)
    try:
        tables = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        relations = {f"{schema}.{name}" for schema, name in tables}
        # Date columns arrive in pandas as naive datetimes: GX compares them with datetimes only.
        parameters: dict[str, object] = {"run_date": datetime.combine(today, datetime.min.time())}
        parameters.update(mart_parameters(con, relations))
    finally:
        con.close()
    return relations, parameters


def _skip_reason(check: CheckedTable, relations: set[str], parameters: dict[str, object]) -> str | None:
    missing = [relation for relation in check.relations if relation not in relations]
    if missing:
        return f"table missing: {', '.join(missing)}"
    unknown = [name for name in check.parameters if parameters.get(name) is None]
    return f"parameter unavailable: {', '.join(unknown)}" if unknown else None


def _read_frame(db_path: Path, query: str) -> pd.DataFrame:
    con = connect(db_path, read_only=True)
    try:
        return con.execute(query).df()
    finally:
        con.close()


def _run_suite(
    ready: SetUpCheck, db_path: Path, parameters: dict[str, object], run_id: str, checked_at: datetime
) -> tuple[list[CheckResult], list, bool]:
    """Read the suite's frame and run its checkpoint: result rows, the stored results' keys, and
    whether the frame was empty where the suite expects that (then nothing ran)."""
    check = ready.check
    try:
        frame = _read_frame(db_path, check.query)
        if frame.empty and check.empty_reason:
            return [], [], True
        result = ready.checkpoint.run(
            batch_parameters={"dataframe": frame},
            expectation_parameters=parameters,
            run_id=RunIdentifier(run_name=run_id, run_time=checked_at),
        )
        rows = [
            row
            for validation in result.run_results.values()
            for row in result_rows(check, validation, run_id, checked_at)
        ]
        return rows, list(result.run_results), False
    except Exception as exc:  # noqa: BLE001 - whatever the reason, the suite did not run
        # A suite that cannot run must not pass silently: it is reported as a critical failure.
        logger.exception("step=data_checks suite=%s status=error", check.suite)
        error = CheckResult(
            run_id, checked_at, check.suite, check.table, "suite_error", None, CRITICAL, False,
            None, None, None, f"{type(exc).__name__}: {exc}",
        )  # fmt: skip
        return [error], [], False
