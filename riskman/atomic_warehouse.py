"""A run that changes the warehouse only if every step succeeds, and a published read-only copy.

DuckDB allows one writer and has no snapshot a second process could read while a flow writes:
- `staged_warehouse` hands a flow a copy of the warehouse beside it. On success the copy replaces
  the warehouse in one rename; on any failure (or a kill) the copy is dropped and the warehouse
  is exactly as it was.
- `publish` then copies the new warehouse to `published/warehouse.duckdb` the same way (write
  beside, rename over), which readers such as the viewer open read-only: they see the old state
  or the new one, never a half-written one, and never hold the writer's lock.
A rename replaces the name, not the file: a reader that has the old file open keeps reading it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from riskman.warehouse import connect, wait_until_free

PUBLISHED = Path("published") / "warehouse.duckdb"
WORK_PREFIX = ".work-"


def _checkpointed(db_path: Path) -> None:
    """Fold the write-ahead log into the file, so that copying the file copies everything."""
    wait_until_free(db_path)
    with connect(db_path) as con:
        con.execute("checkpoint")


def _copy_beside(source: Path, target: Path) -> None:
    """Copy `source` to `target` atomically: a temporary name in target's folder, then a rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f"{WORK_PREFIX}{uuid.uuid4().hex[:8]}-{target.name}")
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def drop_stale_work(db_path: Path) -> list[Path]:
    """Copies left by runs that were killed (they never replaced anything): removed."""
    stale = [p for p in db_path.parent.glob(f"{WORK_PREFIX}*") if p.is_file()]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


@contextlib.contextmanager
def staged_warehouse(db_path: Path) -> Iterator[Path]:
    """Yield a working copy of `db_path` (created empty-handed if there is no warehouse yet);
    replace the warehouse with it when the block succeeds, drop it otherwise."""
    drop_stale_work(db_path)
    # The same name every run: dbt's profile names this path, and a path that changes makes
    # dbt parse the whole project again (about 8 s on the demo) instead of reusing its parse.
    work = db_path.with_name(f"{WORK_PREFIX}{db_path.name}")
    if db_path.exists():
        _checkpointed(db_path)
        shutil.copyfile(db_path, work)
    try:
        yield work
        if work.exists():
            _checkpointed(work)
            wait_until_free(db_path)
            os.replace(work, db_path)
    finally:
        for leftover in (work, work.with_name(work.name + ".wal")):
            leftover.unlink(missing_ok=True)


def published_path(db_path: Path) -> Path:
    return db_path.parent / PUBLISHED


def publish(db_path: Path) -> Path:
    """Replace the published read-only copy with the current warehouse; return its path."""
    _checkpointed(db_path)
    target = published_path(db_path)
    _copy_beside(db_path, target)
    return target


def publish_if_stale(db_path: Path) -> Path | None:
    """Publish when the warehouse changed since the last publish (a command such as `riskman
    predict` wrote it directly); returns the published path, None when there is no warehouse."""
    if not db_path.exists():
        return None
    target = published_path(db_path)
    wal = db_path.with_name(db_path.name + ".wal")
    changed = max(p.stat().st_mtime_ns for p in (db_path, wal) if p.exists())
    if not target.exists() or target.stat().st_mtime_ns < changed:
        publish(db_path)
    return target
