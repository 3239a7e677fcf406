"""Evidently's firm-wide drift page (ml.monitoring.evidently_report), on synthetic daily medians.

The report is run once for the module (Evidently takes seconds) on frames built here: a column
shifted by four standard deviations, unchanged ones, and the degenerate columns that must be
left out.
"""

from __future__ import annotations

import json
import re
import warnings
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from ml.monitoring import evidently_report
from ml.monitoring.evidently_report import (
    ALL_NULL_CURRENT,
    ALL_NULL_REFERENCE,
    CONSTANT_REFERENCE,
    write_drift_report,
)
from tests.browser import render_page

REFERENCE_DAYS, CURRENT_DAYS = 250, 20
COMPARED = ["shifted", "steady", "with_gaps", "flat_lately"]
OMITTED = {
    "empty_before": ALL_NULL_REFERENCE,
    "empty_lately": ALL_NULL_CURRENT,
    "constant_before": CONSTANT_REFERENCE,
}
COLUMNS = [*COMPARED, *OMITTED]


def daily_medians() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A reference year and a current month of firm-wide daily medians, one row a day."""
    rng = np.random.default_rng(20240601)
    days = pd.bdate_range("2024-01-01", periods=REFERENCE_DAYS + CURRENT_DAYS)
    frame = pd.DataFrame(rng.normal(size=(len(days), len(COLUMNS))), index=days, columns=COLUMNS)
    reference, current = frame.iloc[:REFERENCE_DAYS].copy(), frame.iloc[REFERENCE_DAYS:].copy()
    current["shifted"] += 4.0
    reference.iloc[::7, COLUMNS.index("with_gaps")] = np.nan  # gaps and an infinity: still compared
    reference.iloc[3, COLUMNS.index("with_gaps")] = np.inf
    current["flat_lately"] = 0.25  # constant in the current window only: a change, compared
    reference["empty_before"] = np.nan
    current["empty_lately"] = np.nan
    reference["constant_before"] = 1.5
    return reference, current


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The report written once, with the warnings the run raised."""
    reference, current = daily_medians()
    path = tmp_path_factory.mktemp("evidently") / "firm" / "drift" / "report.html"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = write_drift_report(reference, current, COLUMNS, path)
    return result, path.read_text(encoding="utf-8"), caught


class _Tags(HTMLParser):
    """The start tags of a page with their attributes, and the text of its <title>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def parsed(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser


def dashboard(page: str) -> dict:
    """The dashboard Evidently embeds in its page (`var metric_<id> = {...};`), as JSON."""
    found = re.search(r"var metric_[0-9a-f]+ = (\{.*?\});\n", page)
    assert found, "no embedded Evidently dashboard"
    return json.loads(found.group(1))


def drift_rows(node) -> dict[str, dict]:
    """Every row of the data-drift table (a dict with column_name and data_drift), by column."""
    rows = {}
    if isinstance(node, dict):
        if "column_name" in node and "data_drift" in node:
            rows[node["column_name"]] = node
        for value in node.values():
            rows.update(drift_rows(value))
    elif isinstance(node, list):
        for value in node:
            rows.update(drift_rows(value))
    return rows


def test_the_page_is_html_with_a_drift_row_for_each_compared_column(written):
    result, page, _ = written
    assert result.path.is_file()
    assert page.lstrip().lower().startswith("<!doctype html>")
    tags = [tag for tag, _ in parsed(page).tags]
    for tag in ("html", "head", "body", "title", "script"):
        assert tag in tags
    assert sorted(drift_rows(dashboard(page))) == sorted(COMPARED)
    for column in COMPARED:
        assert f'"column_name": "{column}"' in page


def test_the_page_loads_nothing_from_the_network(written):
    _, page, _ = written
    for tag, attributes in parsed(page).tags:
        for attribute in ("src", "href"):
            if tag in ("script", "link", "img", "iframe") and attributes.get(attribute):
                assert not re.match(r"\s*(https?:)?//", attributes[attribute]), (tag, attributes)
    assert not re.search(r"<script[^>]*\bsrc\s*=\s*[\"']?\s*(https?:)?//", page, re.IGNORECASE)
    # CSS that would fetch: url(http...) or @import "http..." (the bare word "@import" is in the bundle).
    assert not re.search(r"(url\(|@import)\s*[\"']?\s*(https?:)?//", page, re.IGNORECASE)


def test_the_left_out_columns_are_reported_and_absent_from_the_report(written):
    result, page, _ = written
    assert result.compared == tuple(COMPARED)
    assert dict(result.omitted) == OMITTED
    left_out = re.search(r'<p class="omitted-columns"[^>]*>Left out: (.*?)</p>', page)
    assert left_out
    for column, why in OMITTED.items():
        assert f"{column} ({why})" in left_out.group(1)
        assert f'"{column}"' not in page  # nowhere in Evidently's data


def test_the_shifted_column_shows_drift_and_the_steady_one_does_not(written):
    _, page, _ = written
    rows = drift_rows(dashboard(page))
    assert rows["shifted"]["data_drift"] == "Detected"
    assert rows["steady"]["data_drift"] == "Not Detected"
    assert rows["shifted"]["drift_score"] < 0.001 < 0.05 < rows["steady"]["drift_score"]


def test_the_title_and_the_note_that_these_verdicts_raise_no_alert_head_the_page(written, tmp_path):
    _, page, _ = written
    default = f"Firm-wide data drift: {REFERENCE_DAYS} reference days against {CURRENT_DAYS} current days"
    assert parsed(page).title == default
    assert "they raise no alert" in page

    reference, current = daily_medians()
    result = write_drift_report(reference, current, ["steady"], tmp_path / "titled.html", title="P&L <firm>")
    titled = result.path.read_text(encoding="utf-8")
    assert parsed(titled).title == "P&L <firm>"
    assert "<title>P&amp;L &lt;firm&gt;</title>" in titled


def test_the_run_raises_no_numpy_runtime_warning(written):
    _, _, caught = written
    assert [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)] == []


def test_a_failed_write_leaves_the_old_page_and_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "report.html"
    path.write_text("old page", encoding="utf-8")
    reference, current = daily_medians()

    def fail(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(evidently_report.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_drift_report(reference, current, ["steady"], path)
    assert path.read_text(encoding="utf-8") == "old page"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]

    monkeypatch.undo()
    write_drift_report(reference, current, ["steady"], path)
    assert path.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html>")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


@pytest.mark.parametrize(
    ("columns", "error", "match"),
    [
        ([], ValueError, "no columns"),
        (["steady", "absent"], KeyError, "absent"),
        (["steady", "label"], TypeError, "label"),
        (list(OMITTED), ValueError, "none of the columns"),
    ],
)
def test_bad_columns_are_refused_before_anything_is_written(tmp_path, columns, error, match):
    reference, current = daily_medians()
    reference["label"], current["label"] = "a", "b"
    path = tmp_path / "report.html"
    with pytest.raises(error, match=match):
        write_drift_report(reference, current, columns, path)
    assert not path.exists()


@pytest.mark.slow
def test_the_page_renders_offline_in_a_browser(written):
    result, _, _ = written
    rendered = render_page(result.path, "evidently_drift_report.png")
    assert rendered.console_errors == []
    # The drift table's rows, as the reader sees them: one block of tab-separated cells each.
    rows = {}
    for block in rendered.text.split("\n\n"):
        cells = [cell.strip() for cell in re.split(r"[\t\n]", block) if cell.strip()]
        if cells and cells[0] in COMPARED:
            rows[cells[0]] = cells
    assert sorted(rows) == sorted(COMPARED)
    assert "Detected" in rows["shifted"] and "Not Detected" not in rows["shifted"]
    assert "Not Detected" in rows["steady"] and "Detected" not in rows["steady"]
    assert "Left out: empty_before" in rendered.text
    assert rendered.screenshot.stat().st_size > 10_000
