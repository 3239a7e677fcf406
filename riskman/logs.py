"""Structured step logging: one key=value line per step, to stderr and to `logs/riskman.log`."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from riskman.settings import logs_dir

_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
FILE_ONLY = "file_only"


class _CurrentStderr(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the moment of the record, not the one at set-up:
    a command run twice in one process (a test runner, a flow) swaps and closes its streams."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure_logging(level: int = logging.INFO) -> None:
    """Send `riskman.*` logs to stderr and a rotating-free append-only file; safe to call twice."""
    root = logging.getLogger("riskman")
    if getattr(root, "_riskman_configured", False):
        return
    root.setLevel(level)
    stream = _CurrentStderr()
    stream.setFormatter(logging.Formatter(_FORMAT))
    # A record the caller has already told the person (FILE_ONLY) goes to the log file only.
    stream.addFilter(lambda record: not getattr(record, FILE_ONLY, False))
    root.addHandler(stream)
    try:
        folder = logs_dir()
        folder.mkdir(parents=True, exist_ok=True)
        file_handler = logging.FileHandler(folder / "riskman.log", encoding="utf-8")
        file_handler.setFormatter(logging.Formatter(_FORMAT))
        root.addHandler(file_handler)
    except OSError as exc:  # a read-only checkout still runs; it just logs to stderr
        root.warning("log_file_unavailable reason=%s", exc)
    root._riskman_configured = True  # type: ignore[attr-defined]


def format_fields(fields: dict[str, object]) -> str:
    return " ".join(f"{key}={value}" for key, value in fields.items())


@contextmanager
def log_step(logger: logging.Logger, step: str, **fields: object) -> Iterator[dict[str, object]]:
    """Log `step=<name> status=… seconds=<t> …` once the block ends. The block may add counts to the
    dict, and `status` (default `ok`; anything else logs as an error, as an exception does)."""
    counts: dict[str, object] = dict(fields)
    started = time.perf_counter()
    try:
        yield counts
    except Exception:
        elapsed = time.perf_counter() - started
        logger.error("step=%s status=failed seconds=%.2f %s", step, elapsed, format_fields(counts))
        raise
    elapsed = time.perf_counter() - started
    status = counts.pop("status", "ok")
    level = logging.INFO if status == "ok" else logging.ERROR
    logger.log(level, "step=%s status=%s seconds=%.2f %s", step, status, elapsed, format_fields(counts))
