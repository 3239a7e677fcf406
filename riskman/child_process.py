"""Run a child process that cannot outlive us: dbt writing the warehouse after riskman is gone
would hold the file's lock with nobody to answer for it.

The child runs in its own process group. SIGINT/SIGTERM sent to us stop the whole group before we
exit. For SIGKILL, which we cannot catch, the child is started through a tiny launcher that asks
Linux to send it SIGTERM when its parent dies (`PR_SET_PDEATHSIG`, kept across `exec`), then
`exec`s the real program.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence

logger = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 10.0
# Runs before the real program: tie it to its parent, or exit if the parent is already gone.
_LAUNCHER = """
import ctypes, os, signal, sys
parent = int(sys.argv[1])
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
except (AttributeError, OSError):
    pass  # not Linux: SIGINT/SIGTERM forwarding still applies
if os.getppid() != parent:
    sys.exit(143)
os.execv(sys.argv[2], sys.argv[2:])
"""


def run_tied_to_parent(command: Sequence[str], **popen_options) -> int:
    """Run `command` to its end and return its exit code; it never outlives this process."""
    launcher = [sys.executable, "-c", _LAUNCHER, str(os.getpid()), *command]
    child = subprocess.Popen(launcher, start_new_session=True, **popen_options)
    with _stop_on_termination(child):
        return child.wait()


def start_tied_to_parent(command: Sequence[str], **popen_options) -> subprocess.Popen:
    """Start `command` in the background, tied to this process like run_tied_to_parent; the
    caller stops it (`stop`)."""
    launcher = [sys.executable, "-c", _LAUNCHER, str(os.getpid()), *command]
    return subprocess.Popen(launcher, start_new_session=True, **popen_options)


def stop(child: subprocess.Popen) -> None:
    """SIGTERM the child's process group, then SIGKILL it if it has not ended in time."""
    for sig, grace in ((signal.SIGTERM, STOP_GRACE_SECONDS), (signal.SIGKILL, None)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, sig)
        try:
            child.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


@contextlib.contextmanager
def _stop_on_termination(child: subprocess.Popen) -> Iterator[None]:
    """While the child runs, SIGINT/SIGTERM stop it first, then end us as they would have."""
    if threading.current_thread() is not threading.main_thread():
        yield  # handlers can only be set from the main thread; PDEATHSIG still applies
        return

    def handler(signum: int, _frame) -> None:
        # Only signal here: this runs inside child.wait(), which holds a lock a second wait
        # would need. The exception unwinds out of that wait, and the except below waits.
        logger.error("signal=%s status=stopping child=%s", signal.Signals(signum).name, child.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGTERM)
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    except BaseException:
        stop(child)
        raise
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
