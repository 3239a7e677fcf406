"""Feature discovery rules on hand-made manifests, and the feature frame on a hand-made warehouse."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ml.features import load_feature_frame
from riskman.feature_catalog import FeatureSpec, discover_features, manifest_path


def _column(name: str, meta: dict[str, Any] | None = None, description: str = "") -> dict[str, Any]:
    # The shape dbt 1.11 writes: meta both under config and (legacy) at the top level.
    meta = meta or {}
    return {"name": name, "description": description, "meta": meta, "config": {"meta": meta}}


def _model(path: str, columns: list[dict[str, Any]], meta: dict[str, Any] | None = None) -> dict[str, Any]:
    name = path.rpartition("/")[2].removesuffix(".sql")
    meta = meta or {}
    return {
        "resource_type": "model",
        "unique_id": f"model.riskman.{name}",
        "name": name,
        "alias": name,
        "schema": path.split("/")[1] if path.startswith("marts/") else "intermediate",
        "path": path,
        "meta": meta,
        "config": {"meta": meta},
        "columns": {c["name"]: c for c in columns},
    }


def _discover(tmp_path: Path, *models: dict[str, Any]) -> list[FeatureSpec]:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"nodes": {m["unique_id"]: m for m in models}}))
    return discover_features(path)


KEYS = [_column("trader_id"), _column("as_of_date")]


def test_a_column_marked_feature_true_is_discovered_with_its_meta(tmp_path):
    meta = {"feature": True, "window": 20, "source": "fct_trader_days", "definition": "mean(net_pnl)"}
    model = _model("marts/features/feat_pnl.sql", [*KEYS, _column("pnl_mean_20d", meta, " Mean P&L. ")])
    assert _discover(tmp_path, model) == [
        FeatureSpec(
            name="pnl_mean_20d",
            model="feat_pnl",
            relation="features.feat_pnl",
            description="Mean P&L.",
            window="20",
            source="fct_trader_days",
            definition="mean(net_pnl)",
        )
    ]


def test_the_folder_default_makes_every_listed_column_a_feature_except_the_keys(tmp_path):
    # dbt copies a folder's `+meta: {feature: true}` into each model's meta, never into its columns.
    model = _model("marts/features/feat_pnl.sql", [*KEYS, _column("a"), _column("b")], {"feature": True})
    assert [f.name for f in _discover(tmp_path, model)] == ["a", "b"]


def test_a_column_opts_out_of_the_default_with_feature_false(tmp_path):
    columns = [*KEYS, _column("a"), _column("helper", {"feature": False})]
    model = _model("marts/features/feat_pnl.sql", columns, {"feature": True})
    assert [f.name for f in _discover(tmp_path, model)] == ["a"]


def test_the_keys_are_never_features_even_when_marked(tmp_path):
    columns = [_column("trader_id", {"feature": True}), _column("as_of_date", {"feature": True})]
    assert _discover(tmp_path, _model("marts/features/feat_pnl.sql", columns)) == []


def test_a_column_inherits_the_models_meta_and_overrides_it(tmp_path):
    columns = [*KEYS, _column("a"), _column("b", {"source": "fct_fills", "window": "60d"})]
    model = _model("marts/features/feat_x.sql", columns, {"feature": True, "source": "fct_trader_days"})
    assert [(f.name, f.source, f.window) for f in _discover(tmp_path, model)] == [
        ("a", "fct_trader_days", None),
        ("b", "fct_fills", "60d"),
    ]


def test_columns_without_feature_meta_and_models_outside_the_features_folder_are_ignored(tmp_path):
    plain = _model("marts/features/feat_plain.sql", [*KEYS, _column("a"), _column("b", {"window": 5})])
    elsewhere = _model("marts/core/fct_trader_days.sql", [*KEYS, _column("net_pnl", {"feature": True})])
    intermediate = _model("intermediate/int_x.sql", [_column("x", {"feature": True})])
    assert _discover(tmp_path, plain, elsewhere, intermediate) == []


def test_features_come_in_model_then_yaml_order(tmp_path):
    b = _model("marts/features/feat_b.sql", [*KEYS, _column("z"), _column("y")], {"feature": True})
    a = _model("marts/features/sub/feat_a.sql", [*KEYS, _column("x")], {"feature": True})
    assert [(f.model, f.name) for f in _discover(tmp_path, b, a)] == [
        ("feat_a", "x"),
        ("feat_b", "z"),
        ("feat_b", "y"),
    ]


def test_a_feature_name_in_two_models_is_an_error(tmp_path):
    a = _model("marts/features/feat_a.sql", [*KEYS, _column("x")], {"feature": True})
    b = _model("marts/features/feat_b.sql", [*KEYS, _column("x")], {"feature": True})
    with pytest.raises(ValueError, match="feature 'x' is defined in both feat_a and feat_b"):
        _discover(tmp_path, a, b)


def test_the_default_manifest_is_the_dbt_projects_target():
    assert manifest_path().parts[-3:] == ("dbt_project", "target", "manifest.json")


def _spec(name: str, relation: str) -> FeatureSpec:
    return FeatureSpec(name=name, model=relation.split(".")[1], relation=relation)


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("create schema features")
    con.execute(
        """create table features.feat_a as select * from (values
            ('t1', date '2024-01-02', 1.0, 'x'), ('t1', date '2024-01-03', 2.0, 'y')
        ) as t(trader_id, as_of_date, a1, "odd name")"""
    )
    con.execute(
        """create table features.feat_b as select * from (values
            ('t1', date '2024-01-03', 30), ('t2', date '2024-01-02', 40)
        ) as t(trader_id, as_of_date, b1)"""
    )
    yield con
    con.close()


def test_the_feature_frame_joins_every_model_on_the_union_of_their_keys(con):
    specs = [
        _spec("a1", "features.feat_a"),
        _spec("odd name", "features.feat_a"),
        _spec("b1", "features.feat_b"),
    ]
    frame = load_feature_frame(con, specs)
    assert list(frame.columns) == ["trader_id", "as_of_date", "a1", "odd name", "b1"]
    cells = frame.astype(object).where(frame.notna(), None)
    rows = [(t, d.date(), a1, b1) for t, d, a1, _, b1 in cells.itertuples(index=False)]
    assert rows == [
        ("t1", date(2024, 1, 2), 1.0, None),
        ("t1", date(2024, 1, 3), 2.0, 30),
        ("t2", date(2024, 1, 2), None, 40),
    ]


def test_loading_no_features_is_an_error(con):
    with pytest.raises(ValueError, match="no features to load"):
        load_feature_frame(con, [])
