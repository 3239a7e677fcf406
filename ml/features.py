"""The model inputs: feature columns discovered in dbt's manifest, and the frame that joins them.

A column of a model under `models/marts/features/` is a feature when its effective meta says
`feature: true` (ARCHITECTURE §4). Effective meta is the model's meta (which carries the
folder default `marts: features: +meta: {feature: true}` from dbt_project.yml) overlaid with the
column's own. The key columns trader_id and as_of_date are never features. In the model's YAML,
meta goes under `config:` (dbt 1.10+ deprecates top-level `meta:`):

    columns:
      - name: pnl_mean_20d
        description: Mean daily net P&L over the last 20 trading days (USD).
        data_type: double
        config:
          meta: {feature: true, window: 20 trading days, source: fct_trader_days,
                 definition: "avg(net_pnl) over the 20 rows up to as_of_date"}
      - name: helper_column
        config:
          meta: {feature: false}        # opts out of the folder default

`models/marts/reporting/rpt_feature_catalogue.sql` applies the same rule to the dbt graph.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from riskman.settings import dbt_project_dir

FEATURES_PATH = "marts/features/"
KEY_COLUMNS = ("trader_id", "as_of_date")


@dataclass(frozen=True)
class FeatureSpec:
    """One feature column: where it lives and what its YAML says about it."""

    name: str
    model: str
    relation: str
    description: str = ""
    window: str | None = None
    source: str | None = None
    definition: str | None = None
    data_type: str | None = None


def manifest_path() -> Path:
    """The manifest `dbt parse`/`dbt build` writes for the project."""
    return dbt_project_dir() / "target" / "manifest.json"


def discover_features(manifest_path: Path) -> list[FeatureSpec]:
    """Every feature column in the manifest at `manifest_path`, by model then YAML order."""
    return features_from_manifest(json.loads(Path(manifest_path).read_text()))


def features_from_manifest(manifest: Mapping[str, Any]) -> list[FeatureSpec]:
    """Every feature column in a parsed manifest, by model then YAML order."""
    models = sorted(
        (node for node in manifest["nodes"].values() if _is_feature_model(node)),
        key=lambda node: node["name"],
    )
    features = [spec for node in models for spec in _feature_columns(node)]
    _check_unique_names(features)
    return features


def feature_frame_sql(features: Sequence[FeatureSpec]) -> str:
    """One query: every feature on the union of the feature models' (trader_id, as_of_date) keys."""
    if not features:
        raise ValueError("no features to load: the manifest lists no feature columns")
    relations = list(dict.fromkeys(spec.relation for spec in features))
    alias = {relation: f"f{i}" for i, relation in enumerate(relations)}
    key_list = ", ".join(KEY_COLUMNS)
    spine = "\n    union\n    ".join(f"select {key_list} from {_quote_relation(r)}" for r in relations)
    select_list = ",\n    ".join(
        [f"keys.{key}" for key in KEY_COLUMNS]
        + [f"{alias[spec.relation]}.{_quote(spec.name)} as {_quote(spec.name)}" for spec in features]
    )
    joins = "\n".join(
        f"left join {_quote_relation(r)} as {alias[r]}\n    on "
        + " and ".join(f"{alias[r]}.{key} = keys.{key}" for key in KEY_COLUMNS)
        for r in relations
    )
    order = ", ".join(f"keys.{key}" for key in KEY_COLUMNS)
    return f"with keys as (\n    {spine}\n)\nselect\n    {select_list}\nfrom keys\n{joins}\norder by {order}"


def load_feature_frame(con: duckdb.DuckDBPyConnection, features: Sequence[FeatureSpec]) -> pd.DataFrame:
    """trader_id, as_of_date and one column per feature, one row per key found in any feature model."""
    return con.execute(feature_frame_sql(features)).df()


def _is_feature_model(node: Mapping[str, Any]) -> bool:
    return node.get("resource_type") == "model" and node["path"].replace("\\", "/").startswith(FEATURES_PATH)


def _meta(entry: Mapping[str, Any]) -> dict[str, Any]:
    # dbt 1.10+ writes meta to both `config.meta` and the legacy top-level `meta`; prefer config.
    return dict((entry.get("config") or {}).get("meta") or entry.get("meta") or {})


def _feature_columns(node: Mapping[str, Any]) -> list[FeatureSpec]:
    model_meta = _meta(node)
    relation = f"{node['schema']}.{node.get('alias') or node['name']}"
    specs = []
    for column in node.get("columns", {}).values():
        meta = {**model_meta, **_meta(column)}
        if column["name"] in KEY_COLUMNS or meta.get("feature") is not True:
            continue
        specs.append(
            FeatureSpec(
                name=column["name"],
                model=node["name"],
                relation=relation,
                description=(column.get("description") or "").strip(),
                window=_text(meta.get("window")),
                source=_text(meta.get("source")),
                definition=_text(meta.get("definition")),
                data_type=column.get("data_type"),
            )
        )
    return specs


def _text(value: Any) -> str | None:
    return None if value is None else str(value).strip()


def _check_unique_names(features: Sequence[FeatureSpec]) -> None:
    # The frame has one column per feature name, so a name in two models would be ambiguous.
    seen: dict[str, str] = {}
    for spec in features:
        if spec.name in seen:
            raise ValueError(f"feature {spec.name!r} is defined in both {seen[spec.name]} and {spec.model}")
        seen[spec.name] = spec.model


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _quote_relation(relation: str) -> str:
    return ".".join(_quote(part) for part in relation.split("."))
