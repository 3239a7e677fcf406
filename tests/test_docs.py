"""The repository explains itself: its docs and code cite only its own docs, and every section
a comment cites exists."""

from __future__ import annotations

import re
from pathlib import Path

from riskman.settings import PROJECT_ROOT

SKIPPED = {
    ".venv",
    ".git",
    "data",
    "logs",
    "target",
    "__pycache__",
    ".ruff_cache",
    ".pytest_cache",
    "uncommitted",
}
BUILT = ".egg-info"  # packaging output (it copies the README)
TEXT_SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".md", ".toml", ".cfg", ""}
CITATION = re.compile(r"docs/architecture\.md §(\d+)")
OUTSIDE = re.compile(r"\.\./shared|ARCHITECTURE\.md|ARCHITECTURE §")


def _text_files() -> list[Path]:
    return [
        path
        for path in PROJECT_ROOT.rglob("*")
        if path.is_file()
        and path.suffix in TEXT_SUFFIXES
        and not SKIPPED & set(path.relative_to(PROJECT_ROOT).parts)
        and not any(part.endswith(BUILT) for part in path.parts)
        and path.name != Path(__file__).name
    ]


def test_nothing_points_outside_the_repository_for_its_design():
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{n}"
        for path in _text_files()
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert offenders == []


def test_every_cited_section_of_the_architecture_exists():
    sections = set(re.findall(r"^## (\d+)\. ", (PROJECT_ROOT / "docs" / "architecture.md").read_text(), re.M))
    cited = {
        (str(path.relative_to(PROJECT_ROOT)), number)
        for path in _text_files()
        for number in CITATION.findall(path.read_text(encoding="utf-8", errors="replace"))
    }
    assert len(cited) > 5, "the code cites the architecture"
    assert {(path, n) for path, n in cited if n not in sections} == set()
