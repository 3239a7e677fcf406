"""Evidently's HTML data-drift report for the firm-wide view: the familiar picture, not the alarm.

Why two drift views: our own detector (ml.monitoring.drift_detector.DriftDetector) is what raises
drift alerts. Its tests are calibrated for what the firm-wide series are, small (a reference of a
year of days against a few weeks) and serially dependent (one daily median a day, so neighbouring
days are not independent draws), and it controls the false discovery rate across every column.
Evidently's DataDriftPreset knows none of that: each column gets a fixed-threshold verdict (K-S,
chi-square, ... at p < 0.05 by default) as if the days were independent, so on autocorrelated
daily medians it says "Detected" far more often than the nominal 5% (K-S on an AR(1) series with
lag-1 autocorrelation 0.7 flags about 40% of unchanged 20-day windows against 250 reference days).
This page is the firm-wide visual beside our detector, distributions and per-column scores in a
layout people know, and its verdicts are NOT what raises alerts; the page says so at the top.

Input: one row per day, the firm's daily median of each monitored column (the series the
detector tests firm-wide). A column is left out, and reported in `DriftReport.omitted` and at the
top of the page, when it is all-null in the reference or the current window (Evidently raises
"An empty column ... was provided for drift calculation"), or constant in the reference (any
change then reads as certain drift, and numpy's correlation step divides by zero). Infinite
values count as missing (they break Evidently's histograms).

Offline: Evidently 0.7.23's standalone HTML (Snapshot.get_html_str(as_iframe=False), what
save_html writes) inlines its whole UI bundle (nbextension/static/index.js, React and plotly.js,
about 3.5 MB) and the Material Icons font as a data: URL; it has no <script src> or <link> tag
and loads nothing from a CDN. The only CDN address left in the bundle is plotly's topojsonURL,
fetched only by geographic maps, which a drift report never draws. So the page works offline
as written, with no extra embedding step; tests/ml/test_evidently_report.py checks it in
headless Chromium with the network blocked.

Evidently is imported inside write_drift_report: importing it takes several seconds, which
whoever merely imports this module should not pay.
"""

from __future__ import annotations

import html
import os
import uuid
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ALL_NULL_REFERENCE = "all null in the reference"
ALL_NULL_CURRENT = "all null in the current window"
CONSTANT_REFERENCE = "constant in the reference"

NOT_THE_ALERT = (
    "Evidently's per-column verdicts below use fixed thresholds that assume independent days; "
    "they raise no alert. Drift alerts come from the risk manager's own drift detector, "
    "calibrated for small, serially dependent samples."
)


@dataclass(frozen=True)
class DriftReport:
    """What write_drift_report wrote: the page, the columns it compares (in the order given) and
    the ones left out, each with why (ALL_NULL_REFERENCE, ALL_NULL_CURRENT, CONSTANT_REFERENCE)."""

    path: Path
    compared: tuple[str, ...]
    omitted: Mapping[str, str]


def comparable_columns(
    reference: pd.DataFrame, current: pd.DataFrame, columns: Sequence[str]
) -> tuple[list[str], dict[str, str]]:
    """The columns Evidently can compare, and the others with why they are left out.

    Expects float frames with infinities already turned into NaN (see _numeric)."""
    kept: list[str] = []
    omitted: dict[str, str] = {}
    for column in columns:
        known = reference[column].dropna()
        if known.empty:
            omitted[column] = ALL_NULL_REFERENCE
        elif current[column].notna().sum() == 0:
            omitted[column] = ALL_NULL_CURRENT
        elif known.nunique() <= 1:
            omitted[column] = CONSTANT_REFERENCE
        else:
            kept.append(column)
    return kept, omitted


def write_drift_report(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    columns: Sequence[str],
    path: Path,
    title: str | None = None,
) -> DriftReport:
    """Run Evidently's DataDriftPreset on `columns` of the reference against the current window
    and write its self-contained HTML page to `path` (parent folders created, written atomically).

    `reference` and `current` hold one row per day (the index is ignored); `columns` are numeric
    columns present in both. Degenerate columns are left out and reported (module docstring).
    Raises KeyError for a column missing from either frame, TypeError for a non-numeric one, and
    ValueError when no column is given or none is left to compare."""
    columns = list(dict.fromkeys(columns))
    if not columns:
        raise ValueError("no columns to compare")
    for name, frame in (("reference", reference), ("current", current)):
        missing = [column for column in columns if column not in frame.columns]
        if missing:
            raise KeyError(f"columns missing from the {name} frame: {missing}")
    reference_values, current_values = _numeric(reference, columns), _numeric(current, columns)
    kept, omitted = comparable_columns(reference_values, current_values, columns)
    if not kept:
        raise ValueError(f"none of the columns can be compared: {omitted}")
    if title is None:
        title = (
            f"Firm-wide data drift: {len(reference_values)} reference days "
            f"against {len(current_values)} current days"
        )

    page = _evidently_page(reference_values[kept], current_values[kept], kept, title)
    page = _with_header(page, title, omitted)
    path = Path(path)
    _write_atomic(path, page)
    return DriftReport(path=path, compared=tuple(kept), omitted=omitted)


def _numeric(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """`columns` of `frame` as float64 on a fresh 0..n-1 index, infinities as NaN."""
    wrong = [column for column in columns if not pd.api.types.is_numeric_dtype(frame[column])]
    if wrong:
        raise TypeError(f"columns are not numeric: {wrong}")
    values = frame[columns].astype("float64").reset_index(drop=True)
    return values.replace([np.inf, -np.inf], np.nan)


def _evidently_page(reference: pd.DataFrame, current: pd.DataFrame, columns: list[str], title: str) -> str:
    """Evidently 0.7's standalone HTML for DataDriftPreset over `columns` (all numeric)."""
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    definition = DataDefinition(numerical_columns=columns)
    report = Report([DataDriftPreset(columns=columns)])
    with warnings.catch_warnings():
        # Evidently computes the columns' correlation matrix (np.corrcoef) on the way; a column
        # constant in the current window (allowed: a real, visible change) divides by zero there.
        # Nothing of it is shown in this report, so that one numpy warning is silenced, here only.
        warnings.filterwarnings(
            "ignore",
            message="invalid value encountered in divide",
            category=RuntimeWarning,
            module=r"numpy\.lib\._function_base_impl",
        )
        snapshot = report.run(
            Dataset.from_pandas(current, data_definition=definition),
            Dataset.from_pandas(reference, data_definition=definition),
            name=title,
        )
        # Not snapshot.save_html: in 0.7.23 it silently writes nothing when given a Path, and it
        # writes in place (a reader could see half a file).
        return snapshot.get_html_str(as_iframe=False)


def _with_header(page: str, title: str, omitted: Mapping[str, str]) -> str:
    """The page with a <title>, and above Evidently's dashboard the title, the note that its
    verdicts raise no alert, and the columns left out."""
    lines = [
        '<div style="font-family: sans-serif; margin: 16px 24px;">',
        f'<h1 style="font-size: 1.4em; margin: 0 0 8px;">{html.escape(title)}</h1>',
        f'<p style="margin: 0 0 4px;">{html.escape(NOT_THE_ALERT)}</p>',
    ]
    if omitted:
        left_out = "; ".join(f"{column} ({why})" for column, why in omitted.items())
        lines.append(f'<p class="omitted-columns" style="margin: 0;">Left out: {html.escape(left_out)}</p>')
    lines.append("</div>")
    page = page.replace("<head>", f"<head>\n<title>{html.escape(title)}</title>", 1)
    return page.replace("<body>", "<body>\n" + "\n".join(lines), 1)


def _write_atomic(path: Path, text: str) -> None:
    """Write a uniquely named temp file in the same folder, then rename it over `path`: a reader
    sees the old page or the new one, never half of one (the temp file honours the umask)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temporary, "x", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
