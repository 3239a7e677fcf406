"""What became of each file in an ingest run, and the run's report."""

from __future__ import annotations

from dataclasses import dataclass, field

from riskman.ingest.discover import SourceFile
from riskman.ingest.readers import ParsedFile


@dataclass
class FileLoad:
    """One file of this run, with what became of its rows."""

    source: SourceFile
    load_id: str
    load_seq: int
    parsed: ParsedFile | None = None
    status: str = "loaded"
    message: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_unchanged: int = 0
    rows_quarantined: int = 0


@dataclass
class IngestReport:
    run_id: str
    files_seen: int = 0
    files_already_loaded: int = 0
    files: list[FileLoad] = field(default_factory=list)

    def total(self, attribute: str) -> int:
        return sum(getattr(f, attribute) for f in self.files)

    @property
    def files_rejected(self) -> int:
        return sum(f.status == "rejected" for f in self.files)

    @property
    def usable(self) -> bool:
        """Something valid was read: new rows, unchanged rows, or files already loaded."""
        read_valid = self.total("rows_loaded") + self.total("rows_unchanged")
        return read_valid > 0 or self.files_already_loaded > 0

    def rows_by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for f in self.files:
            if f.source.kind_name is not None:
                counts[f.source.kind_name] = counts.get(f.source.kind_name, 0) + f.rows_loaded
        return counts


def describe(report: IngestReport) -> str:
    """A few human lines: the totals, then every file that lost rows or was rejected."""
    lines = [
        f"files: {report.files_seen} seen, {len(report.files) - report.files_rejected} loaded, "
        f"{report.files_already_loaded} already loaded, {report.files_rejected} rejected; "
        f"rows: {report.total('rows_loaded')} new, {report.total('rows_unchanged')} unchanged, "
        f"{report.total('rows_quarantined')} quarantined"
    ]
    for load in report.files:
        if load.status == "rejected":  # the same reason raw.quarantine holds for the file
            lines.append(f"  rejected: {load.source.path}: {load.message}")
        elif load.rows_quarantined:
            lines.append(
                f"  {load.source.path}: {load.rows_quarantined} rows quarantined (see raw.quarantine)"
            )
    return "\n".join(lines)
