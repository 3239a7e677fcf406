"""Short constructors for the expectations the suites use; each carries its severity and its reason.

The reason (`meta.why`) is what a failure reports, in Data Docs and in `quality.check_results`.
"""

from __future__ import annotations

import datetime as dt

import great_expectations.expectations as gxe

from riskman.quality.spec import CRITICAL, WARNING

# Fees per share traded, in USD: commissions and ECN fees are fractions of a cent (rebates make
# them negative); SEC fees scale with price. Outside this band a fee or a quantity is misread.
FEES_PER_SHARE_BAND = (-0.01, 0.10)


def not_null(column: str, why: str, severity: str = CRITICAL) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToNotBeNull(column=column, severity=severity, meta={"why": why})


def not_nulls(columns: list[str], why: str, severity: str = CRITICAL) -> list[gxe.Expectation]:
    return [not_null(column, why, severity) for column in columns]


def unique(columns: list[str], why: str, severity: str = CRITICAL) -> gxe.Expectation:
    if len(columns) == 1:
        return gxe.ExpectColumnValuesToBeUnique(column=columns[0], severity=severity, meta={"why": why})
    return gxe.ExpectCompoundColumnsToBeUnique(column_list=columns, severity=severity, meta={"why": why})


def between(
    column: str,
    why: str,
    severity: str = CRITICAL,
    *,
    low: float | dt.datetime | dict | None = None,
    high: float | dt.datetime | dict | None = None,
    strict_low: bool = False,
    mostly: float | None = None,
) -> gxe.Expectation:
    """`low <= value <= high` (`low < value` when strict); NULLs are not checked."""
    options = {"mostly": mostly} if mostly is not None else {}
    return gxe.ExpectColumnValuesToBeBetween(
        column=column,
        min_value=low,
        max_value=high,
        strict_min=strict_low,
        severity=severity,
        meta={"why": why},
        **options,
    )


def positive(column: str, why: str, severity: str = CRITICAL) -> gxe.Expectation:
    return between(column, why, severity, low=0, strict_low=True)


def in_set(
    column: str, values: list, why: str, severity: str = CRITICAL, mostly: float | None = None
) -> gxe.Expectation:
    """Values from `values` only; NULLs are not checked (pair with `not_null`)."""
    options = {"mostly": mostly} if mostly is not None else {}
    return gxe.ExpectColumnValuesToBeInSet(
        column=column, value_set=values, severity=severity, meta={"why": why}, **options
    )


def at_least(column_a: str, column_b: str, why: str, severity: str = CRITICAL) -> gxe.Expectation:
    """`column_a >= column_b` on every row where both are present."""
    return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=column_a,
        column_B=column_b,
        or_equal=True,
        ignore_row_if="either_value_is_missing",
        severity=severity,
        meta={"why": why},
    )


def equal(column_a: str, column_b: str, why: str, severity: str = CRITICAL) -> gxe.Expectation:
    return gxe.ExpectColumnPairValuesToBeEqual(
        column_A=column_a, column_B=column_b, severity=severity, meta={"why": why}
    )


def non_null_share(column: str, low: float, why: str, severity: str) -> gxe.Expectation:
    """At least `low` of the rows have a value: a ceiling of `1 - low` on the null rate."""
    return gxe.ExpectColumnProportionOfNonNullValuesToBeBetween(
        column=column, min_value=low, severity=severity, meta={"why": why}
    )


def rows_at_least(count: int, why: str, severity: str = CRITICAL) -> gxe.Expectation:
    return gxe.ExpectTableRowCountToBeBetween(min_value=count, severity=severity, meta={"why": why})


def column_range(column: str, why: str, *, low: object, high: object) -> list[gxe.Expectation]:
    """The column's min and max within [low, high]: a whole-column check, fast on any size."""
    meta = {"why": why}
    return [
        gxe.ExpectColumnMinToBeBetween(column=column, min_value=low, severity=CRITICAL, meta=meta),
        gxe.ExpectColumnMaxToBeBetween(column=column, max_value=high, severity=CRITICAL, meta=meta),
    ]


def contains_all(column: str, values: list, why: str, severity: str = CRITICAL) -> gxe.Expectation:
    """Every value of `values` occurs in the column (a failure lists the missing ones)."""
    return gxe.ExpectColumnDistinctValuesToContainSet(
        column=column, value_set=values, severity=severity, meta={"why": why}
    )


def fees_per_share(column: str = "chk_fees_per_share") -> gxe.Expectation:
    """A warning when fees per share leave FEES_PER_SHARE_BAND."""
    low, high = FEES_PER_SHARE_BAND
    why = f"fees beyond {low * 100:g}c..{high * 100:g}c a share are implausible"
    return between(column, why, WARNING, low=low, high=high)
