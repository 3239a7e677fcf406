"""The model inputs as one frame: every feature column the warehouse declares, on one key.

Which columns are features is the warehouse's business (riskman.feature_catalog reads them from
dbt's manifest); this module joins them for training and scoring.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from riskman.feature_catalog import KEY_COLUMNS, FeatureSpec
from riskman.sql import quote_ident, quote_relation


def feature_frame_sql(features: Sequence[FeatureSpec]) -> str:
    """One query: every feature on the union of the feature models' (trader_id, as_of_date) keys."""
    if not features:
        raise ValueError("no features to load: the manifest lists no feature columns")
    relations = list(dict.fromkeys(spec.relation for spec in features))
    alias = {relation: f"f{i}" for i, relation in enumerate(relations)}
    key_list = ", ".join(KEY_COLUMNS)
    spine = "\n    union\n    ".join(f"select {key_list} from {quote_relation(r)}" for r in relations)
    select_list = ",\n    ".join(
        [f"keys.{key}" for key in KEY_COLUMNS]
        + [
            f"{alias[spec.relation]}.{quote_ident(spec.name)} as {quote_ident(spec.name)}"
            for spec in features
        ]
    )
    joins = "\n".join(
        f"left join {quote_relation(r)} as {alias[r]}\n    on "
        + " and ".join(f"{alias[r]}.{key} = keys.{key}" for key in KEY_COLUMNS)
        for r in relations
    )
    order = ", ".join(f"keys.{key}" for key in KEY_COLUMNS)
    return f"with keys as (\n    {spine}\n)\nselect\n    {select_list}\nfrom keys\n{joins}\norder by {order}"


def load_feature_frame(con: duckdb.DuckDBPyConnection, features: Sequence[FeatureSpec]) -> pd.DataFrame:
    """trader_id, as_of_date and one column per feature, one row per key found in any feature model."""
    return con.execute(feature_frame_sql(features)).df()
