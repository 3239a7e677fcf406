"""Connections to the warehouse file. DuckDB lets one process write (and no other open it) at a
time, so a connection waits a little for a busy file, then fails with one line that names the
process holding it.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import duckdb

LOCK_WAIT_ENV = "RISKMAN_LOCK_WAIT_SECONDS"
DEFAULT_LOCK_WAIT_SECONDS = 10.0
_POLL_SECONDS = 0.25
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


class WarehouseBusy(Exception):
    """Another process holds the warehouse file; the message says which and what to do."""


def lock_wait_seconds() -> float:
    """How long to wait for a busy warehouse: `$RISKMAN_LOCK_WAIT_SECONDS`, else 10 s."""
    try:
        return max(0.0, float(os.environ.get(LOCK_WAIT_ENV, DEFAULT_LOCK_WAIT_SECONDS)))
    except ValueError:
        return DEFAULT_LOCK_WAIT_SECONDS


def lock_holder(message: str) -> str | None:
    """`PID n (command line)` from DuckDB's lock error, or None when it is another error."""
    match = _LOCK_HOLDER.search(message)
    if match is None:
        return None
    pid = match.group("pid")
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            words = handle.read().split(b"\0")
        command = " ".join(word.decode(errors="replace") for word in words if word)[:160]
    except OSError:  # gone meanwhile, or not Linux
        command = match.group("program")
    return f"PID {pid} ({command or match.group('program')})"


def busy_message(path: Path, holder: str, waited: float) -> str:
    return (
        f"warehouse {path} is in use by {holder}; close it or wait "
        f"(waited {waited:g} s; {LOCK_WAIT_ENV} sets how long)"
    )


def connect(path: Path, *, read_only: bool = False, wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse at `path`, waiting up to `wait` seconds (default
    `lock_wait_seconds()`) while another process holds it; then WarehouseBusy."""
    wait = lock_wait_seconds() if wait is None else wait
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            holder = lock_holder(str(exc))
            if holder is None:
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusy(busy_message(path, holder, wait)) from None
            time.sleep(_POLL_SECONDS)


def wait_until_free(path: Path, wait: float | None = None) -> None:
    """Return once no other process holds the warehouse (a writer could open it); else
    WarehouseBusy. For handing the file to a child process such as dbt."""
    if path.exists():
        connect(path, wait=wait).close()
