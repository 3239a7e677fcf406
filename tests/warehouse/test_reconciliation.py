"""Fills against PropReports' totals on the demo firm, which rounds every report cell to the cent
as PropReports does: honest rounding is no break; every injected break is still flagged."""

from __future__ import annotations

import pytest

from riskman.demo_firm.defects import damaged_account_days
from tests.compare import read

pytestmark = pytest.mark.slow
MAX_FALSE_BREAK_SHARE = 0.005
BREAKS = """
    select account_name, trade_date, reconciliation_status, fees_difference, gross_difference
    from intermediate.int_fills_reconciled_to_account_days where reconciliation_status <> 'ok'"""


def test_the_demo_really_rounds_its_report_cells(tiny_built_warehouse):
    rounded = read(
        tiny_built_warehouse,
        "select count(*) as n from intermediate.int_fills_reconciled_to_account_days"
        " where fees_difference <> 0",
    )
    assert rounded.n[0] > 50, "the fixture must exercise cent rounding"


def test_cent_rounding_of_the_reports_is_not_a_break(tiny_built_warehouse):
    days = read(
        tiny_built_warehouse, "select count(*) as n from intermediate.int_fills_reconciled_to_account_days"
    )
    breaks = read(tiny_built_warehouse, BREAKS)
    assert len(breaks) <= MAX_FALSE_BREAK_SHARE * days.n[0], breaks.to_string()


def test_every_injected_break_is_flagged(tiny_defect_exports, tiny_defect_warehouse):
    flagged = {(a, d.date()) for a, d, *_ in read(tiny_defect_warehouse, BREAKS).itertuples(index=False)}
    assert damaged_account_days(tiny_defect_exports) <= flagged
