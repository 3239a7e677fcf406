"""Find export files in a folder, fingerprint them and tell their kind, or why they cannot load.

Nothing found is dropped silently: a file that cannot be read, is not UTF-8, or lacks a required
column, and a folder that cannot be listed, come back with a `problem` for the quarantine.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from riskman.ingest.formats import FileKind
from riskman.ingest.readers import identify

UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass
class SourceFile:
    path: Path
    data: bytes  # the file's text as UTF-8 (a UTF-16 export is re-encoded)
    sha256: str  # of the bytes on disk: the file's identity for "already loaded"
    kind: FileKind | None
    account_name: str | None  # the per-account folder, for reports that don't name the account
    modified_at: datetime
    kind_name_override: str | None = None  # for non-CSV inputs such as the trader config
    problem: str | None = None  # why the file cannot be loaded at all

    @property
    def kind_name(self) -> str | None:
        return self.kind_name_override or (self.kind.name if self.kind else None)


def discover_files(root: Path) -> list[SourceFile]:
    """Every `*.csv` below `root` in load order: modification time, then path; folders that
    cannot be listed come last, as rejected sources.

    A re-export written later loads later, so it becomes the newer version of its days.
    """
    unlisted: list[OSError] = []
    paths = []
    for folder, folders, names in os.walk(root, onerror=unlisted.append):
        # `_truth/`, `_responses/` (never data) and hidden folders are not walked.
        folders[:] = sorted(name for name in folders if not name.startswith(("_", ".")))
        paths += [Path(folder) / name for name in names if name.lower().endswith(".csv")]
    paths.sort(key=lambda p: (_mtime_ns(p), str(p.relative_to(root))))
    files = [read_source(path, _account(path, root)) for path in paths]
    files += [_unreadable(Path(error.filename), None, "cannot list the folder", error) for error in unlisted]
    return files


def _account(path: Path, root: Path) -> str | None:
    relative = path.relative_to(root)
    return relative.parts[0] if len(relative.parts) > 1 else None


def _mtime_ns(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0  # read_source reports it


def read_source(path: Path, account_name: str | None = None, kind_name: str | None = None) -> SourceFile:
    try:
        raw = path.read_bytes()
        modified_at = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    except OSError as error:
        return _unreadable(path, account_name, "cannot read the file", error)
    data, problem = as_utf8(raw) if raw.strip() else (raw, "empty file: nothing to load")
    kind = None
    if problem is None and kind_name is None:
        kind, problem = identify(data)
    return SourceFile(
        path=path.resolve(),
        data=data,
        sha256=hashlib.sha256(raw).hexdigest(),
        kind=kind,
        account_name=account_name,
        modified_at=modified_at,
        kind_name_override=kind_name,
        problem=problem,
    )


def as_utf8(raw: bytes) -> tuple[bytes, str | None]:
    """The text as UTF-8 bytes: UTF-8 as it is, UTF-16 with a byte-order mark (what some
    spreadsheet tools write) re-encoded; anything else is refused with where it fails."""
    if raw.startswith(UTF16_BOMS):
        try:
            return raw.decode("utf-16").encode("utf-8"), None
        except UnicodeDecodeError as error:
            return b"", f"not valid UTF-16 (byte {error.start}); export the file as UTF-8"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        byte = raw[error.start]
        return b"", f"not UTF-8 (byte 0x{byte:02x} at offset {error.start}); export the file as UTF-8"
    return raw, None


def _unreadable(path: Path, account_name: str | None, what: str, error: OSError) -> SourceFile:
    # Never "already loaded": a file that could not be read is tried again on the next run.
    return SourceFile(
        path=path.absolute(),
        data=b"",
        sha256=f"unreadable:{uuid.uuid4().hex}",
        kind=None,
        account_name=account_name,
        modified_at=datetime.now(tz=UTC),
        problem=f"{what}: {error.strerror or error}",
    )
