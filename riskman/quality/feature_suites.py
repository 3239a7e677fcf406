"""Suites for the feature marts, following the feature columns dbt's manifest lists.

riskman.feature_catalog applies the rule the models train on, so a new feature is checked without
touching this module. A feature computed from one market series (meta `market_symbol`) is null
where that series has no recent close: its null rate is judged only on the days the series
covers, and the coverage itself is reported as a warning, never as a critical finding.
"""

from __future__ import annotations

import re
from itertools import groupby
from pathlib import Path

import great_expectations.expectations as gxe

from riskman.dbt import project_vars
from riskman.feature_catalog import KEY_COLUMNS, FeatureSpec, discover_features, manifest_path
from riskman.quality import rules as r
from riskman.quality.spec import CRITICAL, WARNING, CheckedTable
from riskman.sql import sql_literal

TRADER_DAYS = "core.fct_trader_days"
MARKET = "raw.market_daily"
# Null-rate ceilings per feature column, as the share of rows that must hold a value.
FEATURE_NON_NULL_SHARE = {WARNING: 0.5, CRITICAL: 0.05}
# A feature in [0, 1], by the last word of its name before the window: a share
# (`loss_day_share_20d`), a percentile or percent rank, a concentration index.
UNIT_INTERVAL_NAME = re.compile(r"(^|_)(share|percentile|rank_pct|herfindahl)(_\d+d)?$")
MAX_TRADE_DATE = {"$PARAMETER": "max_trade_date"}


def _null_rates(columns: list[FeatureSpec], where: str = "") -> list:
    return [
        r.non_null_share(spec.name, share, f"over {1 - share:.0%} of rows{where} null", severity)
        for spec in columns
        for severity, share in FEATURE_NON_NULL_SHARE.items()
    ]


def _feature_suite(columns: list[FeatureSpec]) -> list:
    """Keys, freshness and ranges on every row; null rates for the columns no series limits."""
    expectations = [
        *r.not_nulls(list(KEY_COLUMNS), "the key a prediction is made for"),
        r.unique(list(KEY_COLUMNS), "one row per trader per as_of_date"),
        gxe.ExpectColumnMaxToBeBetween(
            column="as_of_date",
            min_value=MAX_TRADE_DATE,
            severity=CRITICAL,
            meta={"why": f"features reach the last trade date in {TRADER_DAYS}"},
        ),
        *_null_rates([spec for spec in columns if spec.market_symbol is None]),
    ]
    expectations += [
        r.between(spec.name, "a share lies in [0, 1]", low=0, high=1)
        for spec in columns
        if UNIT_INTERVAL_NAME.search(spec.name)
    ]
    return expectations


def coverage_condition(symbol: str, date_column: str) -> str:
    """SQL: `date_column` lies between the series' first close and the day its last close goes
    stale (features use a close up to var market_data_max_staleness_days calendar days old)."""
    stale_after = int(project_vars()["market_data_max_staleness_days"])
    closes = f"from {MARKET} where symbol = {sql_literal(symbol)}"
    return (
        f"{date_column} between (select min(market_date) {closes}) "
        f"and (select max(market_date) + {stale_after} {closes})"
    )


def _model_checks(relation: str, specs: list[FeatureSpec]) -> list[CheckedTable]:
    model = relation.split(".")[-1]
    checks = [
        CheckedTable(
            suite=f"features_{model}",
            table=relation,
            query=f"select * from {relation}",
            expectations=lambda specs=specs: _feature_suite(specs),
            keys=KEY_COLUMNS,
            requires=(relation, TRADER_DAYS),
            parameters=("max_trade_date",),
        )
    ]
    limited = sorted((spec for spec in specs if spec.market_symbol), key=lambda spec: spec.market_symbol)
    for symbol, group in groupby(limited, key=lambda spec: spec.market_symbol):
        columns = list(group)
        checks.append(
            CheckedTable(
                suite=f"features_{model}_within_{symbol.lower()}",
                table=relation,
                query=f"select * from {relation} where {coverage_condition(symbol, 'as_of_date')}",
                expectations=lambda columns=columns, symbol=symbol: _null_rates(
                    columns, f" inside the {symbol} series' coverage"
                ),
                keys=KEY_COLUMNS,
                requires=(relation, MARKET),
                empty_reason=f"no trader-day inside the {symbol} series' coverage: its features are null",
            )
        )
    return checks


def _coverage_sql(symbols: list[str]) -> str:
    rows = " union all ".join(
        f"""select {sql_literal(symbol)} as symbol,
               (select min(market_date) from {MARKET} where symbol = {sql_literal(symbol)}) as first_close,
               (select max(market_date) from {MARKET} where symbol = {sql_literal(symbol)}) as last_close,
               (select count(*) from {TRADER_DAYS} where not ({coverage_condition(symbol, "trade_date")})
                  or {coverage_condition(symbol, "trade_date")} is null) as trader_days_outside"""
        for symbol in symbols
    )
    return f"select *, (select min(trade_date) from {TRADER_DAYS}) as first_trade_date, " + (
        f"(select max(trade_date) from {TRADER_DAYS}) as last_trade_date from ({rows})"
    )


def _coverage() -> list:
    why = "market features are null on trader-days outside their series' coverage (see first/last close)"
    return [r.between("trader_days_outside", why, WARNING, low=0, high=0)]


def coverage_check(symbols: list[str]) -> list[CheckedTable]:
    """One warning per market series whose closes do not cover every trader-day."""
    if not symbols:
        return []
    return [
        CheckedTable(
            "market_coverage",
            MARKET,
            _coverage_sql(symbols),
            _coverage,
            ("symbol", "first_close", "last_close", "first_trade_date", "last_trade_date"),
            requires=(MARKET, TRADER_DAYS),
        )
    ]


def feature_checks(manifest: Path | None = None) -> list[CheckedTable]:
    """Suites per feature model in dbt's manifest, then market coverage; none before dbt has
    parsed the project."""
    path = manifest or manifest_path()
    if not path.is_file():
        return []
    specs = discover_features(path)
    by_model: dict[str, list[FeatureSpec]] = {}
    for spec in specs:
        by_model.setdefault(spec.relation, []).append(spec)
    checks = [
        check for relation, group in sorted(by_model.items()) for check in _model_checks(relation, group)
    ]
    return checks + coverage_check(sorted({spec.market_symbol for spec in specs if spec.market_symbol}))
