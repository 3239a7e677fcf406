import numpy as np

from ml.reasons import NO_REASON, describe_feature, top_reasons
from riskman.feature_catalog import FeatureSpec

SPECS = {
    "losing_day_streak": FeatureSpec(
        "losing_day_streak",
        "feat_a",
        "features.feat_a",
        definition="Consecutive losing active days up to as_of_date.",
    ),
    "net_pnl_sum_5d": FeatureSpec(
        "net_pnl_sum_5d", "feat_a", "features.feat_a", definition="Sum of daily net P&L (USD)", unit="usd"
    ),
    "vix_close": FeatureSpec(
        "vix_close", "feat_b", "features.feat_b", description="VIX close; null where the series has no value"
    ),
}
NAMES = ["losing_day_streak", "net_pnl_sum_5d", "vix_close"]


def test_reasons_are_the_largest_risk_raising_contributions_in_the_features_own_words():
    contributions = np.array([[0.30, 0.50, -0.9]])
    values = np.array([[3.0, -12345.6, 31.2]])
    [text] = top_reasons(contributions, values, NAMES, SPECS, k=3)
    assert (
        text == "Sum of daily net P&L (USD): -$12,346; Consecutive losing active days up to the last day: 3"
    )


def test_a_row_where_nothing_raises_the_risk_says_so():
    [text] = top_reasons(np.array([[-0.1, -0.2, 0.0]]), np.array([[1.0, 2.0, 3.0]]), NAMES, SPECS)
    assert text == NO_REASON


def test_descriptions_keep_their_first_clause():
    assert describe_feature(SPECS["vix_close"], "vix_close") == "VIX close"
    assert describe_feature(None, "regime_p_high_vol").startswith("Filtered probability")
