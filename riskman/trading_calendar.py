"""The US equity trading calendar: weekdays that are not NYSE holidays.

Used where the data cannot say which day comes next: the demo firm's synthetic periods, and the
target date of a prediction made at the latest close (the next trading day is in the future).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from pandas.tseries.holiday import (
    MO,
    TH,
    AbstractHolidayCalendar,
    GoodFriday,
    Holiday,
    nearest_workday,
    sunday_to_monday,
)
from pandas.tseries.offsets import DateOffset


class NyseHolidays(AbstractHolidayCalendar):
    """The NYSE's regular full-day closures under today's rules (one-off closures not included).

    A Saturday holiday closes the Friday before and a Sunday one the Monday after, except New
    Year's Day on a Saturday, which closes nothing.
    """

    rules = [
        Holiday("New Year's Day", month=1, day=1, observance=sunday_to_monday),
        Holiday(
            "Martin Luther King Jr. Day",
            month=1,
            day=1,
            start_date="1998-01-01",
            offset=DateOffset(weekday=MO(3)),
        ),
        Holiday("Washington's Birthday", month=2, day=1, offset=DateOffset(weekday=MO(3))),
        GoodFriday,
        Holiday("Memorial Day", month=5, day=31, offset=DateOffset(weekday=MO(-1))),
        Holiday("Juneteenth", month=6, day=19, start_date="2022-01-01", observance=nearest_workday),
        Holiday("Independence Day", month=7, day=4, observance=nearest_workday),
        Holiday("Labor Day", month=9, day=1, offset=DateOffset(weekday=MO(1))),
        Holiday("Thanksgiving Day", month=11, day=1, offset=DateOffset(weekday=TH(4))),
        Holiday("Christmas Day", month=12, day=25, observance=nearest_workday),
    ]


def market_calendar(first: date | pd.Timestamp, last: date | pd.Timestamp) -> pd.DatetimeIndex:
    """Weekdays in [first, last] that are not NYSE holidays."""
    days = pd.bdate_range(pd.Timestamp(first), pd.Timestamp(last))
    holidays = NyseHolidays().holidays(pd.Timestamp(first), pd.Timestamp(last))
    return days[~days.isin(holidays)]


def next_trading_day(day: date) -> date:
    """The first NYSE trading day after `day` (regular closures only)."""
    after = pd.Timestamp(day) + pd.Timedelta(days=1)
    return market_calendar(after, after + pd.Timedelta(days=10))[0].date()


def previous_trading_day(day: date) -> date:
    """The last NYSE trading day before `day` (regular closures only)."""
    before = pd.Timestamp(day) - pd.Timedelta(days=1)
    return market_calendar(before - pd.Timedelta(days=10), before)[-1].date()


def is_trading_day(day: date) -> bool:
    return len(market_calendar(day, day)) == 1
