"""Download raw PropReports responses into the export layout the ingest reads.

    out_dir/accounts.csv
    out_dir/<Account Name>/fills_<start>_<end>.csv           (every page of the response, joined)
    out_dir/<Account Name>/totalsByDate_<start>_<end>.csv
    out_dir/<Account Name>/summaryByDate_<start>_<end>.csv
    out_dir/_responses/<Account Name>/fills_<start>_<end>_p<k>.csv   (raw pages, never ingested)

Fills pages are joined into one file because ingest versions a day as a whole per file: a day
split over two page files would be read as two versions of that day, the later replacing the
earlier. The raw pages are kept under `_responses/`, which ingest skips.

Every file is written atomically (temp file + rename): an interrupted download leaves whole
files or none. Re-running over the same range rewrites the same bytes.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from riskman.propreports_api.client import PropReportsClient, PropReportsError
from riskman.propreports_paging import page_numbers

logger = logging.getLogger(__name__)

REPORTS = ("totalsByDate", "summaryByDate")
RESPONSES = "_responses"  # raw API pages; ingest skips folders starting with "_"
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.\-]*$")


@dataclass(frozen=True)
class Account:
    """One row of the accounts list."""

    account_id: str
    name: str
    first_traded: date | None
    last_traded: date | None

    def overlaps(self, start: date, end: date) -> bool:
        """True unless the account's traded range is known to miss [start, end]."""
        if self.first_traded is None and self.last_traded is None:
            return False  # never traded
        first = self.first_traded or date.min
        last = self.last_traded or date.max
        return first <= end and last >= start


@dataclass
class DownloadSummary:
    """What one download run did."""

    files_written: int = 0
    requests: int = 0
    accounts: int = 0
    pages: int = 0
    paths: list[Path] = field(default_factory=list)
    skipped_accounts: list[str] = field(default_factory=list)


def _parse_date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"unrecognised date {text!r}")


def parse_accounts(text: str) -> list[Account]:
    """Accounts CSV → Account rows, by header name (spaces after commas tolerated)."""
    reader = csv.DictReader(io.StringIO(text), skipinitialspace=True)
    if reader.fieldnames is None:
        return []
    reader.fieldnames = [name.strip() for name in reader.fieldnames]
    missing = {"Account Id", "Account Name"} - set(reader.fieldnames)
    if missing:
        raise PropReportsError(f"accounts response lacks column(s): {', '.join(sorted(missing))}")
    accounts = []
    for row in reader:
        name = (row.get("Account Name") or "").strip()
        if not name:
            continue
        dates: list[date | None] = []
        for column in ("First Traded", "Last Traded"):
            try:
                dates.append(_parse_date(row.get(column) or ""))
            except ValueError:
                # Unknown format: keep the account (over-download beats silently missing one).
                logger.warning("accounts_bad_date account=%s column=%r", name, column)
                dates.append(date.min if column == "First Traded" else date.max)
        accounts.append(Account((row.get("Account Id") or "").strip(), name, dates[0], dates[1]))
    return accounts


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` via a temp file in the same folder and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _remove_stale_pages(folder: Path, stem: str, pages: int) -> None:
    """A re-export with fewer pages must not leave old extra pages for the ingest to read."""
    for old in folder.glob(f"{stem}_p*.csv"):
        suffix = old.stem.removeprefix(f"{stem}_p")
        if suffix.isdigit() and int(suffix) > pages:
            old.unlink()
            logger.info("download_removed_stale_page path=%s", old)


def join_pages(pages: list[str]) -> str:
    """One fills export from its pages: page 1's header, every page's rows, no `Page n/m` lines."""
    header: str | None = None
    rows: list[str] = []
    for number, page in enumerate(pages, start=1):
        lines = page.splitlines()
        while lines and (not lines[-1].strip() or page_numbers(lines[-1])):
            lines.pop()
        if not lines:
            continue
        if header is None:
            header = lines[0]
        elif lines[0] != header:
            raise PropReportsError(f"fills page {number} has another header than page 1")
        rows += lines[1:]
    return "\n".join([header or "", *rows]) + "\n" if header else ""


def download_exports(client: PropReportsClient, out_dir: Path, start: date, end: date) -> DownloadSummary:
    """Fetch accounts, then fills pages and both daily reports for accounts active in range."""
    out_dir = Path(out_dir)
    started, requests_before = time.perf_counter(), client.requests_made
    summary = DownloadSummary()
    span = f"{start.isoformat()}_{end.isoformat()}"

    def save(path: Path, text: str) -> None:
        write_atomic(path, text)
        summary.files_written += 1
        summary.paths.append(path)

    accounts_text = client.accounts()
    save(out_dir / "accounts.csv", accounts_text)
    for account in parse_accounts(accounts_text):
        if not account.overlaps(start, end):
            continue
        if not _SAFE_NAME.match(account.name) or ".." in account.name:
            logger.warning("download_skipped_account reason=unsafe_folder_name name=%r", account.name)
            summary.skipped_accounts.append(account.name)
            continue
        folder = out_dir / account.name
        responses = out_dir / RESPONSES / account.name
        pages = client.fills(account.account_id, start, end)
        for number, page in enumerate(pages, start=1):
            save(responses / f"fills_{span}_p{number}.csv", page)
        _remove_stale_pages(responses, f"fills_{span}", len(pages))
        save(folder / f"fills_{span}.csv", join_pages(pages))
        for report in REPORTS:
            save(
                folder / f"{report}_{span}.csv",
                client.report(report, account.account_id, start, end),
            )
        summary.accounts += 1
        summary.pages += len(pages)
    summary.requests = client.requests_made - requests_before
    logger.info(
        "download_exports out_dir=%s start=%s end=%s accounts=%d pages=%d files=%d "
        "requests=%d skipped=%d seconds=%.2f",
        out_dir,
        start,
        end,
        summary.accounts,
        summary.pages,
        summary.files_written,
        summary.requests,
        len(summary.skipped_accounts),
        time.perf_counter() - started,
    )
    return summary
