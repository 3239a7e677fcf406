"""How every flow runs its steps: on a working copy of the warehouse, which replaces the
warehouse only if every step succeeded and is then published read-only for the viewer
(riskman.atomic_warehouse). A failed step leaves the warehouse as it was and raises a critical
`failed_step` alert in it (ml.monitoring.failed_steps), then fails the flow. Before the copy
replaces the warehouse, the decisions queued by the viewer meanwhile are copied into it
(ml.monitoring.overrides)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ml.monitoring.failed_steps import record_failed_step
from ml.monitoring.overrides import merge_inbox
from riskman.atomic_warehouse import publish, staged_warehouse

Step = tuple[str, Callable[[Path], Any]]


def run_staged(flow: str, db: Path, steps: Sequence[Step]) -> dict[str, Any]:
    """Run `steps` in order on a working copy; return each step's result by name."""
    results: dict[str, Any] = {}
    current = "stage"  # copying the warehouse, before the first step
    try:
        with staged_warehouse(db) as work:
            for current, step in steps:
                results[current] = step(work)
            current = "overrides"
            results[current] = merge_inbox(work)
            current = "replace"
    except Exception as exc:
        record_failed_step(db, flow, current, exc)
        raise
    results["published"] = str(publish(db))
    return results
