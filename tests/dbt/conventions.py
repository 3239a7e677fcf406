"""Project conventions checked over a dbt manifest (our stand-in for dbt_project_evaluator).

Each check returns one message per violation, so a failing test lists every offender at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

Manifest = Mapping[str, Any]
Node = Mapping[str, Any]

# Folder under models/ → the name prefixes its models may use (staging is per source, below).
LAYER_PREFIXES = {
    "intermediate": ("int_",),
    "marts/core": ("fct_", "dim_"),
    "marts/features": ("feat_",),
    "marts/labels": ("lbl_",),
    "marts/reporting": ("rpt_",),
}
CONTRACTED_FOLDERS = ("marts/core", "marts/features", "marts/labels")
# Data flows one way: a model reads its own layer or an earlier one. Features and labels are
# siblings that never read each other (they meet only in ml/).
LAYER_ORDER = {
    "staging": 0,
    "intermediate": 1,
    "marts/core": 2,
    "marts/features": 3,
    "marts/labels": 3,
    "marts/reporting": 4,
}
GRAIN_TESTS = {"unique", "unique_combination"}
DESCRIPTION_START = "One row per"


def models(manifest: Manifest) -> Iterator[Node]:
    """The project's own (enabled) models."""
    project = manifest.get("metadata", {}).get("project_name")
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and (project is None or node["package_name"] == project):
            yield node


def folder(node: Node) -> str:
    """The model's folder under models/, e.g. `staging/propreports` or `marts/core`."""
    return node["path"].replace("\\", "/").rpartition("/")[0]


def in_folder(node: Node, layer: str) -> bool:
    return folder(node) == layer or folder(node).startswith(layer + "/")


def naming_violations(manifest: Manifest) -> list[str]:
    """Models whose name prefix does not match their folder."""
    found = []
    for node in models(manifest):
        where = folder(node)
        if where.startswith("staging/"):
            source = where.split("/")[1]
            prefixes: tuple[str, ...] = (f"stg_{source}__",)
        else:
            layer = next((layer for layer in LAYER_PREFIXES if in_folder(node, layer)), None)
            if layer is None:
                found.append(f"{node['name']}: models/{where}/ is not a layer folder")
                continue
            prefixes = LAYER_PREFIXES[layer]
        if not node["name"].startswith(prefixes):
            found.append(f"{node['name']}: models in {where}/ are named {' or '.join(prefixes)}…")
    return found


def description_violations(manifest: Manifest) -> list[str]:
    """Models whose description does not open with their grain ("One row per …")."""
    return [
        f"{node['name']}: description must start with {DESCRIPTION_START!r}"
        for node in models(manifest)
        if not node.get("description", "").strip().startswith(DESCRIPTION_START)
    ]


def grain_test_violations(manifest: Manifest) -> list[str]:
    """Models with no `unique` or `unique_combination` test."""
    tested = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and (node.get("test_metadata") or {}).get("name") in GRAIN_TESTS:
            tested.add(node.get("attached_node"))
    return [
        f"{node['name']}: no unique or unique_combination test on its grain"
        for node in models(manifest)
        if node["unique_id"] not in tested
    ]


def source_violations(manifest: Manifest) -> list[str]:
    """Models outside staging that read a source()."""
    return [
        f"{node['name']}: source() outside staging ({', '.join('.'.join(s) for s in node['sources'])})"
        for node in models(manifest)
        if node.get("sources") and not in_folder(node, "staging")
    ]


def layer_of(node: Node) -> str | None:
    return next((layer for layer in LAYER_ORDER if in_folder(node, layer)), None)


def layer_violations(manifest: Manifest) -> list[str]:
    """Models that read a model of a later layer, or of a sibling layer (features ↔ labels)."""
    nodes = manifest["nodes"]
    found = []
    for node in models(manifest):
        layer = layer_of(node)
        for parent_id in (node.get("depends_on") or {}).get("nodes", []):
            parent = nodes.get(parent_id)
            if parent is None or parent["resource_type"] != "model":
                continue
            parent_layer = layer_of(parent)
            if layer is None or parent_layer is None or parent_layer == layer:
                continue
            if LAYER_ORDER[parent_layer] >= LAYER_ORDER[layer]:
                found.append(f"{node['name']} ({layer}) reads {parent['name']} ({parent_layer})")
    return found


def contract_violations(manifest: Manifest) -> list[str]:
    """Core, feature and label marts without an enforced contract (Python and the app read them)."""
    return [
        f"{node['name']}: marts in {folder(node)}/ need contract: {{enforced: true}}"
        for node in models(manifest)
        if any(in_folder(node, layer) for layer in CONTRACTED_FOLDERS)
        and not node["config"].get("contract", {}).get("enforced")
    ]
