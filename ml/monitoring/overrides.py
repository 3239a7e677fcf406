"""Decisions and overrides of the risk manager (`riskman override`, the viewer): who, when, what
and why, tied to the live prediction they act on, in the insert-only `ml.overrides`. They join the
prediction's audit chain (ml.monitoring.audit).

Every decision is first appended to an inbox beside the warehouse (`overrides_inbox.jsonl`), then
copied into `ml.overrides` by whoever next writes the warehouse (`riskman override` at once, every
flow run before it replaces the warehouse). A flow works on a copy of the warehouse and replaces it
when it ends (riskman.atomic_warehouse): an override written straight into the warehouse meanwhile
would vanish with the replaced file, and the viewer must never wait for the writer's lock. The
inbox is never rewritten, so a decision is kept even when a replace drops it, and copying is
idempotent (by override_id)."""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ml.store import require_warehouse, write_tables
from riskman.warehouse import connect

ACTIONS = ("accept", "override_size", "suspend", "note")
INBOX_NAME = "overrides_inbox.jsonl"
# ml.overrides' columns (dbt_project/macros/create_ml_tables.sql), in order.
COLUMNS = [
    "override_id",
    "recorded_at",
    "recorded_by",
    "trader_id",
    "target_date",
    "prediction_run_id",
    "model_version",
    "action",
    "size",
    "reason",
]


class InvalidOverride(ValueError):
    """An override that cannot be recorded as given (the CLI prints it in one line)."""


@dataclass(frozen=True)
class Override:
    trader_id: str
    target_date: pd.Timestamp
    action: str
    reason: str
    recorded_by: str
    size: float | None = None

    def checked(self) -> Override:
        if self.action not in ACTIONS:
            raise InvalidOverride(f"action must be one of {', '.join(ACTIONS)}, not {self.action!r}")
        if not self.reason.strip():
            raise InvalidOverride("an override needs a reason")
        if not self.recorded_by.strip():
            raise InvalidOverride("an override needs the name of who records it")
        size = 0.0 if self.action == "suspend" else self.size
        if self.action == "override_size" and (size is None or not 0 <= size <= 1):
            raise InvalidOverride("override_size needs a size between 0 and 1")
        if self.action in ("accept", "note") and size is not None:
            raise InvalidOverride(f"{self.action} takes no size")
        return Override(
            self.trader_id, self.target_date, self.action, self.reason.strip(), self.recorded_by, size
        )


def _live_prediction(con: duckdb.DuckDBPyConnection, trader_id: str, target_date: pd.Timestamp):
    return con.execute(
        """select p.run_id, p.model_version from ml.predictions as p
           inner join ml.runs as r on p.run_id = r.run_id
           where p.run_kind = 'live' and p.trader_id = ? and p.target_date = ?
           order by r.finished_at desc limit 1""",
        [trader_id, target_date.date()],
    ).fetchone()


def inbox_path(db_path: Path) -> Path:
    """The inbox of the warehouse at `db_path` (beside it)."""
    return db_path.parent / INBOX_NAME


def override_row(con: duckdb.DuckDBPyConnection, override: Override) -> dict[str, Any]:
    """The `ml.overrides` row of a checked decision, validated against the warehouse `con` reads
    (the trader must exist) and tied to the latest live prediction for that trader and day."""
    override = override.checked()
    known = con.execute("select count(*) from core.dim_traders where trader_id = ?", [override.trader_id])
    if not known.fetchone()[0]:
        raise InvalidOverride(f"no trader {override.trader_id!r} in the warehouse (core.dim_traders)")
    prediction = _live_prediction(con, override.trader_id, override.target_date)
    return {
        "override_id": f"override-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}",
        "recorded_at": datetime.now(UTC).isoformat(),
        "recorded_by": override.recorded_by,
        "trader_id": override.trader_id,
        "target_date": override.target_date.date().isoformat(),
        "prediction_run_id": prediction[0] if prediction else None,
        "model_version": prediction[1] if prediction else None,
        "action": override.action,
        "size": override.size,
        "reason": override.reason,
    }


def queue_override(db_path: Path, row: dict[str, Any]) -> None:
    """Append one decision to the inbox: one write of one line under an exclusive lock, synced
    to disk before returning (a reader never sees half a line, a crash loses no recorded line)."""
    inbox = inbox_path(db_path)
    inbox.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(row, sort_keys=True) + "\n").encode()
    with inbox.open("ab") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())


def queued_overrides(db_path: Path) -> pd.DataFrame:
    """Every decision in the inbox, typed like `ml.overrides`."""
    inbox = inbox_path(db_path)
    if not inbox.exists():
        return pd.DataFrame(columns=COLUMNS)
    with inbox.open("rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        rows = [json.loads(line) for line in handle.read().splitlines() if line.strip()]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["recorded_at"] = pd.to_datetime(frame["recorded_at"], utc=True)
    frame["target_date"] = pd.to_datetime(frame["target_date"]).dt.date
    frame["size"] = frame["size"].astype(float)
    return frame


def pending_overrides(db_path: Path, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Decisions in the inbox of `db_path` that the warehouse `con` reads does not hold yet."""
    queued = queued_overrides(db_path)
    if queued.empty:
        return queued
    stored = {row[0] for row in con.execute("select override_id from ml.overrides").fetchall()}
    return queued[~queued["override_id"].isin(stored)].reset_index(drop=True)


def merge_inbox(db_path: Path) -> int:
    """Copy the decisions of the inbox beside `db_path` (a flow's working copy sits beside the
    warehouse, so it shares its inbox) that its `ml.overrides` lacks; returns how many."""
    if queued_overrides(db_path).empty:
        return 0
    require_warehouse(db_path)
    with connect(db_path) as con:
        pending = pending_overrides(db_path, con)
        write_tables(con, {"overrides": pending})
    return len(pending)


def record_override(db_path: Path, override: Override) -> str:
    """Record a decision on the warehouse at `db_path` now (`riskman override`); returns its id."""
    require_warehouse(db_path)
    with connect(db_path, read_only=True) as con:
        row = override_row(con, override)
    queue_override(db_path, row)
    merge_inbox(db_path)
    return row["override_id"]


def submit_override(snapshot: Path, db_path: Path, override: Override) -> str:
    """Record a decision from a reader of `snapshot` (the viewer), without touching the warehouse
    at `db_path`: validated on the snapshot, queued in the inbox; it lands at the next write."""
    with connect(snapshot, read_only=True) as con:
        row = override_row(con, override)
    queue_override(db_path, row)
    return row["override_id"]


def overrides_for(
    con: duckdb.DuckDBPyConnection, trader_id: str, target_date: pd.Timestamp, db_path: Path | None = None
) -> pd.DataFrame:
    """The decisions on a trader's day: those the warehouse holds, and with `db_path` those still
    waiting in its inbox (column `pending`)."""
    stored = con.execute(
        """select * from ml.overrides where trader_id = ? and target_date = ?
           order by recorded_at, override_id""",
        [trader_id, target_date.date()],
    ).df()
    stored["pending"] = False
    if db_path is None:
        return stored
    pending = pending_overrides(db_path, con)
    pending = pending[(pending["trader_id"] == trader_id) & (pending["target_date"] == target_date.date())]
    if pending.empty:
        return stored
    both = pd.concat([stored, pending.assign(pending=True)], ignore_index=True)
    return both.sort_values(["recorded_at", "override_id"], ignore_index=True)
