"""The modelling panel: one row per trader on the spine per as_of_date, features joined to labels.

Features and labels meet here and nowhere else (docs/architecture.md §4). Rows whose next trading
day is not (yet) labelled stay in the panel: they are scored, never trained on. Dollar features
(`unit: usd` in their YAML) are divided by the trader's own P&L scale, because traders' dollar
scales differ by orders of magnitude and the model is pooled across traders.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from ml.features import load_feature_frame
from riskman.feature_catalog import KEY_COLUMNS, FeatureSpec
from riskman.trading_calendar import next_trading_day

# The trader's P&L scale in dollars: the sample std of his last 60 trading days' net P&L, known
# at the close of as_of_date. Dollar features and the VaR target are expressed in this unit.
PNL_SCALE_FEATURE = "net_pnl_std_60d"
LABEL_COLUMNS = ("target_date", "net_pnl", "is_loss", "is_large_loss")
LABELS_RELATION = "labels.lbl_next_day_outcomes"
TRADER_DAYS_RELATION = "core.fct_trader_days"
TRADERS_RELATION = "core.dim_traders"


@dataclass(frozen=True)
class Panel:
    """Keys, model inputs and labels on one row order.

    `frame` holds trader_id, as_of_date, account_id, the label columns, `next_trading_date` (the
    day a prediction is for, labelled or not), `pnl_scale_usd` and one column per model input;
    `feature_names` lists the inputs in order and `features` their specs.
    """

    frame: pd.DataFrame
    feature_names: tuple[str, ...]
    features: tuple[FeatureSpec, ...]

    @property
    def X(self) -> pd.DataFrame:  # noqa: N802 - the usual name for a design matrix
        return self.frame.loc[:, list(self.feature_names)]

    def labelled(self, target: str) -> np.ndarray:
        """Positions of rows with a known label for `target`."""
        return np.flatnonzero(self.frame[target].notna().to_numpy())


def load_panel(con: duckdb.DuckDBPyConnection, features: Sequence[FeatureSpec]) -> Panel:
    """The panel from the warehouse: the feature marts' spine left-joined to the labels."""
    frame = load_feature_frame(con, features)
    labels = con.execute(
        f"select {', '.join(KEY_COLUMNS)}, {', '.join(LABEL_COLUMNS)} from {LABELS_RELATION}"
    ).df()
    accounts = con.execute(
        f"select trader_id, primary_account_name as account_id from {TRADERS_RELATION}"
    ).df()
    frame = frame.merge(labels, on=list(KEY_COLUMNS), how="left", validate="one_to_one")
    frame = frame.merge(accounts, on="trader_id", how="left", validate="many_to_one")
    return build_panel(frame, features)


def build_panel(frame: pd.DataFrame, features: Sequence[FeatureSpec]) -> Panel:
    """Type the raw joined frame, make dollar features scale-free, encode categories."""
    frame = frame.sort_values(list(KEY_COLUMNS), kind="stable").reset_index(drop=True)
    frame["as_of_date"] = pd.to_datetime(frame["as_of_date"])
    frame["target_date"] = pd.to_datetime(frame["target_date"])
    for target in ("is_loss", "is_large_loss"):
        frame[target] = frame[target].astype("float64")  # NaN = no label
    frame["net_pnl"] = frame["net_pnl"].astype("float64")
    frame["next_trading_date"] = next_trading_dates(frame["as_of_date"])
    frame["pnl_scale_usd"] = pnl_scale(frame)
    inputs = []
    for spec in features:
        if spec.name == PNL_SCALE_FEATURE:
            continue  # in its own unit it is a constant 1; the ratios to it carry the information
        frame[spec.name] = model_input(frame[spec.name], spec, frame["pnl_scale_usd"])
        inputs.append(spec.name)
    return Panel(frame=frame, feature_names=tuple(inputs), features=tuple(features))


def next_trading_dates(as_of_dates: pd.Series) -> pd.Series:
    """The trading day each row's prediction is for: the next date on the shared calendar, or
    after the latest close, the next NYSE trading day (the data cannot know it yet)."""
    dates = np.sort(as_of_dates.unique())
    following = dict(zip(dates[:-1], dates[1:], strict=True))
    following[dates[-1]] = pd.Timestamp(next_trading_day(pd.Timestamp(dates[-1]).date()))
    return as_of_dates.map(following).astype("datetime64[ns]")


def pnl_scale(frame: pd.DataFrame) -> pd.Series:
    """The trader's dollar scale per row; NaN where unknown (too little history or no variation)."""
    if PNL_SCALE_FEATURE not in frame:
        raise ValueError(f"the feature marts have no {PNL_SCALE_FEATURE!r}: the P&L scale is unknown")
    scale = pd.to_numeric(frame[PNL_SCALE_FEATURE], errors="coerce").astype("float64")
    return scale.where(scale > 0)


def model_input(column: pd.Series, spec: FeatureSpec, scale: pd.Series) -> pd.Series:
    """A feature column as the model sees it: numbers as float, dollars in the trader's scale,
    text as a code that depends on the text alone (never on which other values the data holds, so
    removing later data cannot change an earlier row's input)."""
    if spec.unit == "usd":
        return pd.to_numeric(column, errors="coerce").astype("float64") / scale
    if column.dtype == object or isinstance(column.dtype, pd.StringDtype | pd.CategoricalDtype):
        return column.astype("string").map(text_code, na_action="ignore").astype("float64")
    return pd.to_numeric(column, errors="coerce").astype("float64")


def text_code(value: str) -> float:
    return float(int(hashlib.sha256(value.encode()).hexdigest()[:6], 16))


def load_trader_days(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The spine's history for the rule baselines: trader_id, as_of_date, is_active, net_pnl."""
    return con.execute(
        f"""
        select trader_id, trade_date as as_of_date, is_active, coalesce(net_pnl, 0) as net_pnl
        from {TRADER_DAYS_RELATION}
        order by trader_id, trade_date
        """
    ).df()


def load_market_returns(con: duckdb.DuckDBPyConnection) -> pd.Series:
    """S&P 500 daily returns by market date, as the feature marts saw them (for the regime model)."""
    returns = con.execute(
        """
        select distinct market_date, spx_return_1d
        from features.feat_market_regime
        where market_date is not null and spx_return_1d is not null
        order by market_date
        """
    ).df()
    return pd.Series(
        returns["spx_return_1d"].to_numpy(dtype="float64"),
        index=pd.DatetimeIndex(returns["market_date"], name="market_date"),
        name="spx_return_1d",
    )
