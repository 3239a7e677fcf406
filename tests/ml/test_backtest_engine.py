"""The engine's parameter periods and its choice of parameters from the days before a period."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml.backtest_engine import choose, reselection_starts


def test_parameter_periods_start_every_n_calendar_days_and_the_choice_reads_only_their_past():
    dates = pd.bdate_range("2017-01-02", periods=30)
    starts = reselection_starts(dates, 14)
    assert [dates[s] for s in starts] == [pd.Timestamp(d) for d in ("2017-01-02", "2017-01-16", "2017-01-30")]
    steady, late_winner = np.full(30, 1.0) + np.arange(30) % 2, np.r_[np.full(10, -5.0), np.full(20, 50.0)]
    assert choose([steady, late_winner], 10, "total_pnl") == 0  # days 0-9 only: the later gains are unseen
    assert choose([steady, late_winner], 30, "total_pnl") == 1
