"""The dbt project follows the house conventions (docs/warehouse.md), checked on its manifest.

The first tests run the checks on the real project; the rest prove each check catches a violation.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.dbt.conventions import (
    contract_violations,
    description_violations,
    grain_test_violations,
    layer_violations,
    naming_violations,
    source_violations,
)

pytestmark = pytest.mark.slow

CHECKS = [
    naming_violations,
    description_violations,
    grain_test_violations,
    source_violations,
    contract_violations,
    layer_violations,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_the_project_has_no_convention_violations(project_manifest, check):
    violations = check(project_manifest)
    assert not violations, "\n".join(violations)


def test_the_project_manifest_lists_the_staging_models(project_manifest):
    names = {node["name"] for node in project_manifest["nodes"].values()}
    assert "stg_propreports__fills" in names, "the checks above would pass vacuously on an empty project"


# --- the checks themselves, on a hand-made manifest -------------------------------------------


def _model(path: str, **overrides: Any) -> dict[str, Any]:
    name = path.rpartition("/")[2].removesuffix(".sql")
    node = {
        "resource_type": "model",
        "package_name": "riskman",
        "unique_id": f"model.riskman.{name}",
        "name": name,
        "path": path,
        "description": "One row per trader per trading day.",
        "sources": [],
        "config": {"contract": {"enforced": True}},
    }
    node.update(overrides)
    return node


def _unique_test(model: dict[str, Any], kind: str = "unique_combination") -> dict[str, Any]:
    return {
        "resource_type": "test",
        "package_name": "riskman",
        "unique_id": f"test.riskman.{kind}_{model['name']}",
        "name": f"{kind}_{model['name']}",
        "test_metadata": {"name": kind, "kwargs": {}},
        "attached_node": model["unique_id"],
    }


def _manifest(*models: dict[str, Any], tested: bool = True) -> dict[str, Any]:
    nodes = {m["unique_id"]: m for m in models}
    if tested:
        nodes.update({t["unique_id"]: t for t in map(_unique_test, models)})
    return {"metadata": {"project_name": "riskman"}, "nodes": nodes}


GOOD = [
    _model("staging/propreports/stg_propreports__fills.sql", sources=[["propreports", "fills"]]),
    _model("intermediate/int_fills_aggregated_to_account_days.sql"),
    _model("marts/core/fct_trader_days.sql"),
    _model("marts/core/dim_traders.sql"),
    _model("marts/features/feat_pnl_history.sql"),
    _model("marts/labels/lbl_next_day_outcomes.sql"),
    _model("marts/reporting/rpt_feature_catalogue.sql", config={}),
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_a_project_following_the_conventions_passes_every_check(check):
    assert check(_manifest(*GOOD)) == []


@pytest.mark.parametrize(
    "path",
    [
        "staging/propreports/stg_market__daily_prices.sql",
        "staging/propreports/propreports_fills.sql",
        "intermediate/fills_by_day.sql",
        "marts/core/trader_days.sql",
        "marts/features/fct_pnl_history.sql",
        "marts/labels/feat_next_day.sql",
        "marts/reporting/feature_catalogue.sql",
        "marts/misc_thing.sql",
    ],
)
def test_a_model_named_against_its_folder_is_a_naming_violation(path):
    (violation,) = naming_violations(_manifest(_model(path)))
    assert violation.startswith(path.rpartition("/")[2].removesuffix(".sql") + ":")


@pytest.mark.parametrize("description", ["", "Trader days.", "one row per trader", "  Rows: one per trader"])
def test_a_description_not_opening_with_the_grain_is_a_violation(description):
    model = _model("marts/core/fct_trader_days.sql", description=description)
    assert description_violations(_manifest(model)) == [
        "fct_trader_days: description must start with 'One row per'"
    ]


def test_a_model_without_a_uniqueness_test_is_a_grain_violation():
    model = _model("marts/core/fct_trader_days.sql")
    not_null = {**_unique_test(model), "unique_id": "test.riskman.nn", "test_metadata": {"name": "not_null"}}
    manifest = _manifest(model, tested=False)
    manifest["nodes"][not_null["unique_id"]] = not_null
    assert grain_test_violations(manifest) == [
        "fct_trader_days: no unique or unique_combination test on its grain"
    ]


def test_a_plain_unique_column_test_satisfies_the_grain_check():
    model = _model("marts/core/dim_traders.sql")
    manifest = _manifest(model, tested=False)
    test = _unique_test(model, kind="unique")
    manifest["nodes"][test["unique_id"]] = test
    assert grain_test_violations(manifest) == []


@pytest.mark.parametrize("path", ["intermediate/int_x_joined.sql", "marts/core/fct_fills.sql"])
def test_a_source_read_outside_staging_is_a_violation(path):
    model = _model(path, sources=[["propreports", "fills"]])
    (violation,) = source_violations(_manifest(model))
    assert "source() outside staging (propreports.fills)" in violation


@pytest.mark.parametrize("folder", ["core/fct_x", "features/feat_x", "labels/lbl_x"])
def test_a_core_feature_or_label_mart_without_an_enforced_contract_is_a_violation(folder):
    model = _model(f"marts/{folder}.sql", config={"contract": {"enforced": False}})
    (violation,) = contract_violations(_manifest(model))
    assert "need contract: {enforced: true}" in violation


def test_models_of_other_packages_are_not_checked():
    stranger = _model("whatever/bad_name.sql", package_name="some_package", description="")
    manifest = _manifest(*copy.deepcopy(GOOD))
    manifest["nodes"][stranger["unique_id"]] = stranger
    assert [check(manifest) for check in CHECKS] == [[]] * len(CHECKS)


def _reading(path: str, *parents: str) -> dict[str, Any]:
    ids = [f"model.riskman.{p.rpartition('/')[2].removesuffix('.sql')}" for p in parents]
    return _model(path, depends_on={"nodes": ids})


@pytest.mark.parametrize(
    ("reader", "parent"),
    [
        ("intermediate/int_fills_grouped_into_round_trips.sql", "marts/core/fct_fills.sql"),
        ("staging/propreports/stg_propreports__fills.sql", "intermediate/int_fills_x.sql"),
        ("marts/features/feat_x.sql", "marts/labels/lbl_next_day_outcomes.sql"),
        ("marts/labels/lbl_next_day_outcomes.sql", "marts/features/feat_x.sql"),
        ("marts/core/fct_x.sql", "marts/reporting/rpt_feature_catalogue.sql"),
    ],
)
def test_a_model_reading_a_later_or_sibling_layer_is_a_layer_violation(reader, parent):
    manifest = _manifest(_model(parent), _reading(reader, parent))
    (violation,) = layer_violations(manifest)
    assert violation.startswith(reader.rpartition("/")[2].removesuffix(".sql") + " (")


def test_reading_the_same_or_an_earlier_layer_is_no_layer_violation():
    manifest = _manifest(
        _model("marts/core/fct_fills.sql"),
        _model("intermediate/int_x_aggregated.sql"),
        _reading("marts/core/fct_round_trips.sql", "marts/core/fct_fills.sql"),
        _reading(
            "marts/features/feat_x.sql", "marts/core/fct_fills.sql", "intermediate/int_x_aggregated.sql"
        ),
    )
    assert layer_violations(manifest) == []
