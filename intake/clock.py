"""Morocco's clock and calendar: the one rule for every date a person reads or types.

Timestamps are stored in UTC. A *day* (a filing date, a queue filter, a month of statistics, the
incident date on the form) is a day as lived in Morocco (UTC+1, UTC+0 during Ramadan), whatever
the server's zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_TIMEZONE = "Africa/Casablanca"
MOROCCO = ZoneInfo(LOCAL_TIMEZONE)


def today_in_morocco() -> date:
    return datetime.now(MOROCCO).date()


def local_date(moment: datetime) -> date:
    """The calendar day in Morocco of an aware timestamp."""
    return moment.astimezone(MOROCCO).date()


def start_of_day(day: date) -> datetime:
    """The UTC instant at which `day` begins in Morocco."""
    return datetime.combine(day, time.min, MOROCCO).astimezone(UTC)


def end_of_day(day: date) -> datetime | None:
    """The UTC instant at which `day` ends in Morocco (the next day's start); None after the
    calendar's last day, which has no next day."""
    if day == date.max:
        return None
    return start_of_day(day + timedelta(days=1))
