"""PortfolioSimulator: P&L and fees scale with size, size changes cost and are capped in
frequency, idle days hold the size, and the firm budget cuts the riskiest traders first."""

from __future__ import annotations

import numpy as np
import pytest

from ml.portfolio import Frictions, simulate, tail_budget_cap

FREE = Frictions(change_cost_usd_per_unit=0.0, min_days_between_changes=1)


def _one_trader(desired, pnl, frictions=FREE, active=None, fees=None):
    desired = np.array(desired, dtype=float).reshape(-1, 1)
    pnl = np.array(pnl, dtype=float).reshape(-1, 1)
    active = np.ones_like(pnl, dtype=bool) if active is None else np.array(active).reshape(-1, 1)
    fees = np.zeros_like(pnl) if fees is None else np.array(fees, dtype=float).reshape(-1, 1)
    return simulate(desired, np.ones_like(active), active, pnl, fees, frictions)


def test_pnl_and_fees_scale_with_size():
    book = _one_trader([1.0, 0.5, 0.0], [100.0, -200.0, 300.0], fees=[10.0, 10.0, 10.0])
    assert book.pnl[:, 0].tolist() == [100.0, -100.0, 0.0]
    assert book.fees[:, 0].tolist() == [10.0, 5.0, 0.0]


def test_every_unit_of_size_change_costs_the_configured_amount():
    frictions = Frictions(change_cost_usd_per_unit=40.0, min_days_between_changes=1)
    book = _one_trader([1.0, 0.5, 0.5, 1.0], [0.0, 0.0, 0.0, 0.0], frictions)
    assert book.change_cost[:, 0].tolist() == [0.0, 20.0, 0.0, 20.0]
    assert book.pnl[:, 0].tolist() == [0.0, -20.0, 0.0, -20.0]


def test_a_size_changes_at_most_once_in_the_configured_number_of_trading_days():
    frictions = Frictions(change_cost_usd_per_unit=0.0, min_days_between_changes=3)
    book = _one_trader([0.5, 1.0, 0.0, 0.0, 1.0, 1.0], [1.0] * 6, frictions)
    # Day 0 changes to 0.5; days 1-2 are too soon; day 3 may change (to 0.0); day 4-5 too soon.
    assert book.size[:, 0].tolist() == [0.5, 0.5, 0.5, 0.0, 0.0, 0.0]


def test_a_day_without_trading_earns_nothing_at_the_size_set_for_it():
    book = _one_trader([0.5, 0.2, 0.2], [10.0, 99.0, 10.0], active=[True, False, True])
    assert book.size[:, 0].tolist() == [0.5, 0.2, 0.2]
    assert book.pnl[:, 0].tolist() == [5.0, 0.0, 2.0]


def test_without_a_decision_day_the_size_holds_and_a_trading_day_still_earns():
    pnl = np.full((3, 1), 10.0)
    decides = np.array([[True], [False], [True]])
    book = simulate(
        np.array([[0.5], [0.1], [0.2]]), decides, np.ones((3, 1), bool), pnl, np.zeros((3, 1)), FREE
    )
    assert book.size[:, 0].tolist() == [0.5, 0.5, 0.2]
    assert book.pnl[:, 0].tolist() == [5.0, 5.0, 2.0]


def test_the_budget_cap_cuts_the_largest_tails_to_a_common_level():
    assert tail_budget_cap(np.array([100.0, 200.0, 700.0]), 2000.0) == float("inf")
    cap = tail_budget_cap(np.array([100.0, 200.0, 700.0]), 600.0)
    assert cap == pytest.approx(300.0)  # 100 + 200 + 300 = 600
    assert np.minimum([100.0, 200.0, 700.0], cap).sum() == pytest.approx(600.0)


def test_a_firm_budget_scales_only_the_riskiest_traders_on_the_day_it_binds():
    desired = np.ones((2, 3))
    tails = np.array([[100.0, 200.0, 700.0], [100.0, 100.0, 100.0]])
    pnl = np.full((2, 3), 100.0)
    every_day = np.ones((2, 3), bool)
    book = simulate(
        desired, every_day, every_day, pnl, np.zeros((2, 3)), FREE, tail_usd=tails, budget_usd=600.0
    )
    assert book.size[0] == pytest.approx([1.0, 1.0, 300.0 / 700.0])
    assert book.size[1].tolist() == [1.0, 1.0, 1.0]
    assert (book.size[0] * tails[0]).sum() == pytest.approx(600.0)
