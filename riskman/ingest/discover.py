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
        data = path.read_bytes()
        relative = path.relative_to(root)
        account = relative.parts[0] if len(relative.parts) > 1 else None
        files.append(
            SourceFile(
                path=path.resolve(),
                data=data,
                sha256=hashlib.sha256(data).hexdigest(),
                kind=detect_kind(data),
                account_name=account,
                modified_at=datetime.fromtimestamp(path.stat().st_mtime, tz=UTC),
            )
        )
    return files
