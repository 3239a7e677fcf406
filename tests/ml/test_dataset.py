"""The modelling panel: every spine row, labels where known, dollar features in the trader's scale."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from ml.dataset import PNL_SCALE_FEATURE, text_code

pytestmark = pytest.mark.slow


def test_the_panel_has_one_row_per_spine_row_idle_days_included(ml_firm_inputs, ml_firm_warehouse):
    frame = ml_firm_inputs.panel.frame
    with duckdb.connect(str(ml_firm_warehouse), read_only=True) as con:
        spine, idle = con.execute(
            "select count(*), count(*) filter (where not is_active) from core.fct_trader_days"
        ).fetchone()
    assert len(frame) == spine and idle > 0
    assert not frame.duplicated(["trader_id", "as_of_date"]).any()


def test_rows_without_a_next_day_label_are_kept_for_scoring(ml_firm_inputs):
    frame = ml_firm_inputs.panel.frame
    unlabelled = frame["target_date"].isna()
    assert unlabelled.any()
    assert frame.loc[unlabelled, "next_trading_date"].gt(frame.loc[unlabelled, "as_of_date"]).all()


def test_dollar_features_are_in_the_traders_own_pnl_scale(ml_firm_inputs, ml_firm_warehouse):
    panel = ml_firm_inputs.panel
    dollar = [spec.name for spec in panel.features if spec.unit == "usd" and spec.name != PNL_SCALE_FEATURE]
    assert "net_pnl_sum_5d" in dollar and PNL_SCALE_FEATURE not in panel.feature_names
    with duckdb.connect(str(ml_firm_warehouse), read_only=True) as con:
        raw = con.execute(
            f"select net_pnl_sum_5d, {PNL_SCALE_FEATURE} from features.feat_performance"
            " order by trader_id, as_of_date"
        ).df()
    expected = raw["net_pnl_sum_5d"] / raw[PNL_SCALE_FEATURE].where(raw[PNL_SCALE_FEATURE] > 0)
    assert np.allclose(panel.frame["net_pnl_sum_5d"], expected, equal_nan=True)
    # Scale-free: the traders' spreads in this unit are within one order of magnitude.
    spread = panel.frame.groupby("trader_id")["net_pnl_1d"].std()
    assert spread.max() / spread.min() < 10


def test_a_text_feature_code_depends_on_the_text_alone():
    assert text_code("high") == text_code("high") != text_code("low")
