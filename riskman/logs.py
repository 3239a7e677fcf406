"""Structured step logging: one key=value line per step, to stderr and to `logs/riskman.log`."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from riskman.settings import logs_dir

_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure_logging(level: int = logging.INFO) -> None:
    """Send `riskman.*` logs to stderr and a rotating-free append-only file; safe to call twice."""
    root = logging.getLogger("riskman")
    if getattr(root, "_riskman_configured", False):
        return
    root.setLevel(level)
    stream = logging.StreamHandler()
    stream.setFormatter(logging.Formatter(_FORMAT))
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
    """Log `step=<name> ... seconds=<t>` once the block ends; the block may add counts to the dict."""
    counts: dict[str, object] = dict(fields)
    started = time.perf_counter()
    try:
        yield counts
    except Exception:
        elapsed = time.perf_counter() - started
        logger.error("step=%s status=failed seconds=%.2f %s", step, elapsed, format_fields(counts))
        raise
    elapsed = time.perf_counter() - started
    logger.info("step=%s status=ok seconds=%.2f %s", step, elapsed, format_fields(counts))
