"""The file-based GX project under `expectations/`: get it, and set up every suite idempotently.

Re-running the setup on unchanged suites writes nothing new: the committed JSON under
`expectations/gx/` changes only when a suite's definition does.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import great_expectations as gx
from great_expectations.checkpoint import Checkpoint
from great_expectations.core import ExpectationSuite
from great_expectations.data_context import AbstractDataContext
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.exceptions import DataContextError
from great_expectations.expectations import Expectation

from riskman.quality.spec import CheckedTable
from riskman.settings import project_path

DATA_SOURCE = "riskman_warehouse"
BATCH = "whole"
KEEP_RUNS = 20
SAMPLE_ROWS = 20
# GX reads this at import and on context creation; the pipeline must never phone home.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def gx_root() -> Path:
    """The folder holding `gx/`: `$RISKMAN_GX_DIR`, else `expectations/` in the project."""
    return Path(os.environ.get("RISKMAN_GX_DIR") or project_path("expectations")).expanduser().resolve()


def get_context(root: Path | None = None) -> AbstractDataContext:
    """The file context under `root` (created on first use), with progress bars off."""
    context = gx.get_context(mode="file", project_root_dir=str(root or gx_root()))
    if context.variables.progress_bars != ProgressBarsConfig(globally=False):
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        context.variables.save()
    return context


@dataclass(frozen=True)
class SetUpCheck:
    """A suite as stored in the context, with the checkpoint that validates its frame."""

    check: CheckedTable
    checkpoint: Checkpoint


def set_up(context: AbstractDataContext, checks: list[CheckedTable]) -> list[SetUpCheck]:
    """Get-or-create the data source, assets, suites, validation definitions and checkpoints."""
    try:
        source = context.data_sources.get(DATA_SOURCE)
    except KeyError:
        # Never add_or_update_pandas: it replaces the data source and drops its assets.
        source = context.data_sources.add_pandas(name=DATA_SOURCE)
    ready = []
    for check in checks:
        try:
            asset = source.get_asset(check.suite)
        except LookupError:
            asset = source.add_dataframe_asset(name=check.suite)
        try:
            batch = asset.get_batch_definition(BATCH)
        except KeyError:
            batch = asset.add_batch_definition_whole_dataframe(BATCH)
        suite = upsert_suite(context, check)
        definition = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=check.suite, data=batch, suite=suite)
        )
        # No UpdateDataDocsAction: the runner builds the docs once, after all checkpoints.
        checkpoint = context.checkpoints.add_or_update(
            Checkpoint(
                name=check.suite,
                validation_definitions=[definition],
                # SUMMARY, not COMPLETE: the first rows that fail, by their keys, are evidence
                # enough; a complete list of a million failing fills would be a 100 MB result.
                result_format={
                    "result_format": "SUMMARY",
                    "partial_unexpected_count": SAMPLE_ROWS,
                    "unexpected_index_column_names": list(check.keys),
                },
            )
        )
        ready.append(SetUpCheck(check, checkpoint))
    return ready


def _configs(expectations: list[Expectation]) -> list[dict]:
    """Expectation configurations without their ids, which GX assigns on every write."""
    configs = [expectation.configuration.to_json_dict() for expectation in expectations]
    return [{key: value for key, value in config.items() if key != "id"} for config in configs]


def upsert_suite(context: AbstractDataContext, check: CheckedTable) -> ExpectationSuite:
    """The stored suite when its definition is unchanged; else the suite written anew.

    `suites.add_or_update` rewrites the JSON and mints new expectation ids on every call, which
    would churn the committed files on every run: it is only called on a real change, and an
    expectation that did not change keeps its stored id.
    """
    wanted = _configs(check.expectations())
    meta = {"table": check.table}
    try:
        stored = context.suites.get(check.suite)
    except DataContextError:
        stored = None
    if stored is not None:
        if _configs(stored.expectations) == wanted and stored.meta.get("table") == check.table:
            return stored
        ids = {
            _identity(config): e.id
            for config, e in zip(_configs(stored.expectations), stored.expectations, strict=True)
        }
        wanted = [{**config, "id": ids.get(_identity(config))} for config in wanted]
    return context.suites.add_or_update(ExpectationSuite(name=check.suite, expectations=wanted, meta=meta))


def _identity(config: dict) -> str:
    return json.dumps(config, sort_keys=True, default=str)


def prune_validation_results(root: Path, keep: int = KEEP_RUNS) -> int:
    """Delete all but the newest `keep` stored results of each suite, and their pages.

    GX never deletes results, and Data Docs renders every stored one: without pruning, each
    morning's run would make the docs build slower. Returns how many results went.
    """
    removed = 0
    store = root / "gx" / "uncommitted" / "validations"
    docs = root / "gx" / "uncommitted" / "data_docs" / "local_site" / "validations"
    for suite in (path for path in store.glob("*") if path.is_dir()):
        # Layout: <suite>/<run name>/<run time>/; run names start with a UTC stamp, so they sort.
        runs = sorted(path for path in suite.glob("*/*") if path.is_dir())
        for run in runs[: max(len(runs) - keep, 0)]:
            relative = run.relative_to(store)
            for folder in (run, docs / relative):
                shutil.rmtree(folder, ignore_errors=True)
                if folder.parent.is_dir() and not any(folder.parent.iterdir()):
                    folder.parent.rmdir()
            removed += 1
    return removed
