"""Find export files in a folder, fingerprint them and tell their kind."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from riskman.ingest.formats import FileKind
from riskman.ingest.readers import detect_kind


@dataclass
class SourceFile:
    path: Path
    data: bytes
    sha256: str
    kind: FileKind | None
    account_name: str | None  # the per-account folder, for reports that don't name the account
    modified_at: datetime
    kind_name_override: str | None = None  # for non-CSV inputs such as the trader config

    @property
    def kind_name(self) -> str | None:
        return self.kind_name_override or (self.kind.name if self.kind else None)


def _is_ignored(relative: Path) -> bool:
    # `_truth/` (demo ground truth) and hidden folders are never data.
    return any(part.startswith(("_", ".")) for part in relative.parts[:-1])


def discover_files(root: Path) -> list[SourceFile]:
    """Every `*.csv` below `root` in load order: modification time, then path.

    A re-export written later loads later, so it becomes the newer version of its days.
    """
    paths = [p for p in root.rglob("*.csv") if p.is_file() and not _is_ignored(p.relative_to(root))]
    paths.sort(key=lambda p: (p.stat().st_mtime_ns, str(p.relative_to(root))))
    files = []
    for path in paths:
        relative = path.relative_to(root)
        account = relative.parts[0] if len(relative.parts) > 1 else None
        files.append(read_source(path, account))
    return files


def read_source(path: Path, account_name: str | None = None, kind_name: str | None = None) -> SourceFile:
    data = path.read_bytes()
    return SourceFile(
        path=path.resolve(),
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        kind=None if kind_name else detect_kind(data),
        account_name=account_name,
        modified_at=datetime.fromtimestamp(path.stat().st_mtime, tz=UTC),
        kind_name_override=kind_name,
    )
