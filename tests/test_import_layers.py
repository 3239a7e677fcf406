"""Python imports point one way, like the data (docs/architecture.md): ml depends on riskman, never
the reverse; inside riskman, production code never imports the demo generator, and the API client,
ingest and the data checks sit on a base of shared modules, each layer importing only below it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from riskman.settings import PROJECT_ROOT

PACKAGES = ("riskman", "ml", "flows", "app")
# Which project packages each top-level package may import.
ALLOWED_PACKAGES = {
    "riskman": {"riskman"},
    "ml": {"riskman", "ml"},
    # flows holds the command line, which also starts the viewer (app.launch).
    "flows": {"riskman", "ml", "flows", "app"},
    "app": {"riskman", "ml", "app"},
}
# Inside riskman: the shared base, then layers that may import the base and what is listed.
BASE = {
    "settings",
    "logs",
    "sql",
    "warehouse",
    "child_process",
    "dbt",
    "market_data",
    "propreports_paging",
    "feature_catalog",
    "trading_calendar",
    "atomic_warehouse",
}
ALLOWED_IN_RISKMAN = {
    **{module: BASE for module in BASE},
    "propreports_api": BASE,
    "ingest": BASE,
    "demo_firm": BASE,
    "quality": BASE | {"ingest"},
    "pipeline": BASE | {"ingest", "propreports_api", "quality", "demo_firm"},
    "cli": BASE | {"ingest", "propreports_api", "quality", "demo_firm", "pipeline"},
}


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str) -> set[str]:
    """Absolute names of every module `path` imports, relative imports resolved."""
    names = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module
            # `from riskman import pipeline` imports the module riskman.pipeline.
            names.update(f"{source}.{alias.name}" for alias in node.names)
    return names


def _violation(importer: str, imported: str) -> str | None:
    source, target = importer.split("."), imported.split(".")
    if target[0] not in PACKAGES or target[0] == source[0] != "riskman":
        return None
    if target[0] not in ALLOWED_PACKAGES[source[0]]:
        return f"{importer} imports {imported}: {source[0]} may not import {target[0]}"
    if source[0] == target[0] == "riskman" and len(source) > 1 and len(target) > 1:
        layer, used = source[1], target[1]
        if layer != used and used not in ALLOWED_IN_RISKMAN.get(layer, set()):
            return f"{importer} imports {imported}: riskman.{layer} may not import riskman.{used}"
    return None


def import_violations(root: Path) -> list[str]:
    """Every import in the project's packages under `root` that points against the layers."""
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            module = _module_name(path, root)
            for imported in sorted(_imports(path, module)):
                problem = _violation(module, imported)
                if problem:
                    found.append(problem)
    return found


def test_the_project_imports_point_one_way():
    assert import_violations(PROJECT_ROOT) == []


def test_every_riskman_module_has_a_layer():
    modules = {path.stem if path.is_file() else path.name for path in (PROJECT_ROOT / "riskman").iterdir()}
    modules -= {"__init__", "__pycache__", "py"}
    assert modules - set(ALLOWED_IN_RISKMAN) == set(), "give a new module its place in ALLOWED_IN_RISKMAN"


@pytest.mark.parametrize(
    ("path", "source", "message"),
    [
        (
            "riskman/quality/suites.py",
            "from ml.features import load_feature_frame",
            "riskman may not import ml",
        ),
        ("riskman/ingest/market.py", "from riskman.demo_firm import market", "riskman.ingest may not import"),
        (
            "riskman/ingest/api.py",
            "import riskman.quality.run",
            "riskman.ingest may not import riskman.quality",
        ),
        ("riskman/settings.py", "from riskman import pipeline", "riskman.settings may not import"),
        ("ml/model.py", "from flows import daily", "ml may not import flows"),
        ("riskman/ingest/load.py", "from ..demo_firm import generate", "riskman.ingest may not import"),
    ],
)
def test_a_back_edge_is_a_violation(tmp_path, path, source, message):
    for package in PACKAGES:
        (tmp_path / package).mkdir()
    file = tmp_path / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(source + "\n")
    (violation,) = import_violations(tmp_path)
    assert message in violation


def test_imports_down_the_layers_are_fine(tmp_path):
    for package in PACKAGES:
        (tmp_path / package).mkdir()
    (tmp_path / "ml" / "dataset.py").write_text("from riskman.feature_catalog import discover_features\n")
    (tmp_path / "riskman" / "quality").mkdir()
    (tmp_path / "riskman" / "quality" / "raw.py").write_text("from riskman.ingest.formats import FILLS\n")
    assert import_violations(tmp_path) == []
