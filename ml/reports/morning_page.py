"""The morning report: today's predictions, the riskiest traders with reasons and recommended
sizes, and the last trading day's realised outcomes next to what was predicted for it."""

from __future__ import annotations

import pandas as pd

from ml.reports import charts
from ml.reports.html import Page
from ml.reports.stored import Morning

RISKIEST = 10


def _riskiest(today: pd.DataFrame) -> pd.DataFrame:
    rows = today.head(RISKIEST).set_index("trader_id")
    table = rows[["trader_name", "risk_score", "p_loss", "p_large_loss", "var_95_usd", "recommended_size"]]
    table = table.rename(
        columns={
            "trader_name": "name",
            "risk_score": "risk /100",
            "p_loss": "P(loss)",
            "p_large_loss": "P(large loss)",
            "var_95_usd": "5% tail $",
            "recommended_size": "size ×",
        }
    )
    return table.assign(why=rows["top_reasons"])


def _realised(morning: Morning) -> pd.DataFrame:
    rows = morning.realised.set_index("trader_id")
    table = rows[
        ["trader_name", "source", "risk_score", "p_loss", "p_large_loss", "var_95_usd", "realised_net_pnl"]
    ]
    table = table.assign(
        lost=_yes_no(rows["realised_net_pnl"] < 0),
        **{"below 5% tail": _yes_no(rows["realised_net_pnl"] <= rows["var_95_usd"])},
    )
    return table.rename(
        columns={
            "trader_name": "name",
            "source": "predicted by",
            "risk_score": "risk /100",
            "p_loss": "P(loss)",
            "p_large_loss": "P(large loss)",
            "var_95_usd": "5% tail $",
            "realised_net_pnl": "net P&L $",
        }
    )


def _yes_no(flags: pd.Series) -> list[str]:
    return ["yes" if flag else "no" for flag in flags]


FORMATS = {
    "risk /100": ".0f",
    "P(loss)": ".0%",
    "P(large loss)": ".0%",
    "5% tail $": ",.0f",
    "size ×": ".2f",
    "net P&L $": ",.0f",
}


def render_morning_page(morning: Morning) -> str:
    today = morning.today
    if today.empty:
        page = Page("Morning risk report")
        page.paragraph("No live predictions yet: run `riskman train` and `riskman predict`.")
        return page.render()
    as_of, target = today["as_of_date"].max(), today["target_date"].max()
    page = Page(f"Morning risk report for {pd.Timestamp(target):%A %Y-%m-%d}")
    page.paragraph(
        f"{len(today)} traders scored at the close of {pd.Timestamp(as_of):%Y-%m-%d} by model "
        f"{today['model_version'].iloc[0]} (run {today['run_id'].iloc[0]}). Risk 100 = the large-loss "
        "probability the firm calls maximal; size is a multiplier of the trader's normal size."
    )
    page.heading(f"The {min(RISKIEST, len(today))} riskiest traders")
    page.table(_riskiest(today), FORMATS)
    page.figure(charts.todays_risk(today))
    if morning.realised_date is not None and not morning.realised.empty:
        realised = morning.realised
        predicted = realised["p_loss"].notna()
        below_tail = int((realised["realised_net_pnl"] <= realised["var_95_usd"]).sum())
        page.heading(f"Last trading day, {morning.realised_date:%Y-%m-%d}: predicted vs realised")
        page.paragraph(
            f"{int(predicted.sum())} of {len(realised)} active traders had a prediction "
            "(live when one was made for that day, else the out-of-sample backtest's). "
            f"{int((realised['realised_net_pnl'] < 0).sum())} lost money; "
            f"{below_tail} fell below their 5% tail.",
            "note",
        )
        page.table(_realised(morning), FORMATS)
    return page.render()
