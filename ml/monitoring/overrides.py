"""Decisions and overrides of the risk manager (`riskman override`, the viewer): who, when, what
and why, tied to the live prediction they act on, in the insert-only `ml.overrides`. They join the
prediction's audit chain (ml.monitoring.audit)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from ml.store import require_warehouse, write_tables
from riskman.warehouse import connect

ACTIONS = ("accept", "override_size", "suspend", "note")


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


def record_override(db_path: Path, override: Override) -> str:
    """Insert the override (tied to the latest live prediction for that trader and day, if any);
    returns its id."""
    override = override.checked()
    require_warehouse(db_path)
    with connect(db_path, read_only=True) as con:
        known = con.execute("select count(*) from core.dim_traders where trader_id = ?", [override.trader_id])
        if not known.fetchone()[0]:
            raise InvalidOverride(f"no trader {override.trader_id!r} in the warehouse (core.dim_traders)")
        prediction = _live_prediction(con, override.trader_id, override.target_date)
    override_id = f"override-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    row = {
        "override_id": override_id,
        "recorded_at": datetime.now(UTC),
        "recorded_by": override.recorded_by,
        "trader_id": override.trader_id,
        "target_date": override.target_date.date(),
        "prediction_run_id": prediction[0] if prediction else None,
        "model_version": prediction[1] if prediction else None,
        "action": override.action,
        "size": override.size,
        "reason": override.reason,
    }
    with connect(db_path) as con:
        write_tables(con, {"overrides": pd.DataFrame([row])})
    return override_id


def overrides_for(con: duckdb.DuckDBPyConnection, trader_id: str, target_date: pd.Timestamp) -> pd.DataFrame:
    return con.execute(
        """select * from ml.overrides where trader_id = ? and target_date = ?
           order by recorded_at, override_id""",
        [trader_id, target_date.date()],
    ).df()
