"""`top_reasons`: why a trader's risk is what it is, in the words of the features' own YAML.

The reasons are the row's largest positive LightGBM contributions (`pred_contrib`, SHAP values in
log-odds) to the large-loss model: what pushed the risk up. Each is told with the feature's
definition (or description) and its value, in dollars for dollar features. There is no
hand-written list: a new feature explains itself through its YAML.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import numpy as np

from riskman.feature_catalog import FeatureSpec

# Appended by ml/, not declared in a feature mart's YAML.
EXTRA_DESCRIPTIONS = {
    "regime_p_high_vol": "Filtered probability that the S&P 500 is in its high-volatility regime",
}
NO_REASON = "no single input stands out"


def describe_feature(spec: FeatureSpec | None, name: str) -> str:
    text = (spec.definition or spec.description) if spec else EXTRA_DESCRIPTIONS.get(name, "")
    text = (text or name).strip()
    # The first clause says what it is; the rest (null rules, caveats) is for analysts.
    text = re.sub(r"\s*\(null[^)]*\)", "", text.split("; ")[0]).strip().rstrip(".")
    # "on as_of_date" reads as code to a risk manager; the row's as-of day is "the last day".
    return text.replace("as_of_date", "the last day")


def format_value(value: float, unit: str | None) -> str:
    if value is None or not math.isfinite(value):
        return "unknown"
    if unit == "usd":
        return f"{'-' if value < 0 else ''}${abs(value):,.0f}"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.2f}"


def top_reasons(
    contributions: np.ndarray,
    raw_values: np.ndarray,
    feature_names: Sequence[str],
    specs: Mapping[str, FeatureSpec],
    k: int = 3,
) -> list[str]:
    """One text per row: its top-k risk-raising inputs, '; '-separated, largest first.

    `contributions` and `raw_values` are rows × features in `feature_names` order; raw values are
    as the warehouse holds them (dollars in dollars).
    """
    texts = []
    for row_contrib, row_values in zip(contributions, raw_values, strict=True):
        order = [i for i in np.argsort(-row_contrib, kind="stable")[:k] if row_contrib[i] > 0]
        parts = []
        for i in order:
            name = feature_names[i]
            spec = specs.get(name)
            value = format_value(row_values[i], spec.unit if spec else None)
            parts.append(f"{describe_feature(spec, name)}: {value}")
        texts.append("; ".join(parts) if parts else NO_REASON)
    return texts
