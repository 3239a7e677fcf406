"""The model inputs the warehouse declares: feature columns discovered in dbt's manifest.

A column of a model under `models/marts/features/` is a feature when its effective meta says
`feature: true`. Effective meta is the model's meta (which carries the folder default
`marts: features: +meta: {feature: true}` from dbt_project.yml) overlaid with the column's own.
The key columns trader_id and as_of_date are never features. In the model's YAML, meta goes
under `config:` (dbt 1.10+ deprecates top-level `meta:`):

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

A feature in dollars says so (`unit: usd`): the trader's own scale differs by orders of magnitude
between traders, so ml/ divides such a feature by that trader's P&L scale before training.
A feature computed from one market series says so (`market_symbol: VIX`, on the model or the
column): it is null outside that series' coverage, and the data checks judge it only inside.

`models/marts/reporting/rpt_feature_catalogue.sql` applies the same rule to the dbt graph, the
data checks (riskman.quality) check these columns, and ml/ trains on them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    market_symbol: str | None = None
    unit: str | None = None


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
                market_symbol=_text(meta.get("market_symbol")),
                unit=_text(meta.get("unit")),
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
