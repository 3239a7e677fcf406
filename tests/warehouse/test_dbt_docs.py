"""`dbt docs generate` works on a built warehouse and shows the lineage and the feature catalogue."""

from __future__ import annotations

import json

import pytest

from riskman.dbt import run_dbt

pytestmark = pytest.mark.slow


def test_docs_generate_writes_the_catalogue_and_lineage(tiny_built_warehouse, tmp_path):
    target = tmp_path / "docs"
    result = run_dbt(["docs", "generate", "--target-path", str(target)], tiny_built_warehouse)
    assert result.returncode == 0
    assert (target / "index.html").exists()
    catalog = json.loads((target / "catalog.json").read_text())
    documented = {node.split(".")[-1] for node in catalog["nodes"]}
    assert {
        "fct_trader_days",
        "feat_performance",
        "lbl_next_day_outcomes",
        "rpt_feature_catalogue",
    } <= documented
    parents = json.loads((target / "manifest.json").read_text())["parent_map"]
    assert "model.riskman.fct_trader_days" in parents["model.riskman.feat_performance"]
