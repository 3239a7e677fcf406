"""The `Page n/m` line that closes a paged PropReports response (fills, when `page` is sent).

One pattern for the API client, which pages by it, and ingest, which skips it as no data.
"""

from __future__ import annotations

import re

PAGE_TRAILER = re.compile(r"^\s*Page\s+(\d+)\s*/\s*(\d+)\s*$")


def page_numbers(line: str) -> tuple[int, int] | None:
    """`(n, m)` when `line` is a `Page n/m` trailer, else None."""
    match = PAGE_TRAILER.match(line)
    return (int(match.group(1)), int(match.group(2))) if match else None
