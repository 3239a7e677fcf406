"""A self-contained HTML page: plotly.js is embedded once, inline, so the page works offline
(no CDN, no network), and every other piece is plain escaped HTML."""

from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.pass { color: #176d2c; font-weight: bold; } .fail { color: #b3261e; font-weight: bold; }
.verdict { background: #f4f4f4; padding: 1em; border-left: 4px solid #555; }
.note { color: #555; font-size: 0.9em; }
td.text { text-align: left; }
"""


class Page:
    """Sections appended in order; `render` returns the whole document."""

    def __init__(self, title: str):
        self.title = title
        self.parts: list[str] = []
        self._plotly_included = False

    def heading(self, text: str, level: int = 2) -> None:
        self.parts.append(f"<h{level}>{html.escape(text)}</h{level}>")

    def paragraph(self, text: str, css_class: str | None = None) -> None:
        attribute = f' class="{css_class}"' if css_class else ""
        self.parts.append(f"<p{attribute}>{html.escape(text)}</p>")

    def bullets(self, items: Iterable[str]) -> None:
        self.parts.append("<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in items) + "</ul>")

    def table(self, frame: pd.DataFrame, formats: dict[str, str] | None = None) -> None:
        formats = formats or {}
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in [frame.index.name or "", *frame.columns])
        rows = []
        for index, row in frame.iterrows():
            cells = [f"<td>{html.escape(str(index))}</td>"]
            for column, value in row.items():
                cells.append(f"<td{_css(value)}>{html.escape(_format(value, formats.get(column)))}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        self.parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")

    def figure(self, figure: go.Figure) -> None:
        self.parts.append(
            pio.to_html(
                figure,
                full_html=False,
                include_plotlyjs=not self._plotly_included,
                config={"responsive": True},
            )
        )
        self._plotly_included = True

    def render(self) -> str:
        body = "\n".join(self.parts)
        return (
            f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(self.title)}</title><style>{STYLE}</style></head>"
            f"<body><h1>{html.escape(self.title)}</h1>\n{body}\n</body></html>"
        )


def _format(value, spec: str | None) -> str:
    if isinstance(value, bool):
        return "pass" if value else "fail"
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if spec and isinstance(value, int | float):
        return format(value, spec)
    return str(value)


def _css(value) -> str:
    if isinstance(value, bool):
        return ' class="pass"' if value else ' class="fail"'
    return ' class="text"' if isinstance(value, str) else ""
