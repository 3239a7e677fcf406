"""The models' tests run on the ML firm (tests/ml_firm.py; its session fixtures are registered in
tests/conftest.py): its inputs and walk-forward backtest in memory, once per session."""

from __future__ import annotations

import pytest

from tests.ml_firm import small_protocol


@pytest.fixture(scope="session")
def ml_firm_inputs(ml_firm_warehouse):
    from ml.jobs import load_inputs

    return load_inputs(ml_firm_warehouse)


@pytest.fixture(scope="session")
def ml_firm_backtest(ml_firm_inputs):
    """The walk-forward backtest of the ML firm under the small protocol (in memory)."""
    from ml.backtest import run_backtest, splitter_from_config

    config = small_protocol()
    inputs = ml_firm_inputs
    return run_backtest(
        inputs.panel, inputs.trader_days, inputs.returns, config, splitter_from_config(config)
    )
