"""When the flows run (declared here, served by `riskman serve`), on the firm's clock, US/Eastern.

- daily: 06:00 on weekdays; the flow skips a market holiday itself (cron knows no NYSE calendar).
- weekly_retrain: Sunday 22:00, after the week's last close and before Monday's open.
- monthly_review: the first Saturday of the month, 08:00 (day 1-7 AND a Saturday: `day_or` off,
  cron's default would run on every one of days 1-7 and every Saturday).
"""

from __future__ import annotations

from prefect.schedules import Cron

TIMEZONE = "America/New_York"


def schedules() -> dict[str, Cron]:
    return {
        "daily": Cron("0 6 * * 1-5", timezone=TIMEZONE, parameters={"skip_holidays": True}),
        "weekly_retrain": Cron("0 22 * * 0", timezone=TIMEZONE),
        "monthly_review": Cron("0 8 1-7 * 6", timezone=TIMEZONE, day_or=False),
    }
