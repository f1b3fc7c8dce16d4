"""Monthly counts, computed by the database: one aggregate query per month, never reports loaded
into Python. A month is Morocco's calendar month (its bounds converted to UTC, so the index on
`created_at` serves the range)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, select

from intake.clock import MOROCCO, start_of_day
from intake.extensions import db
from intake.reports.models import Report

MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
NOT_GIVEN = "not_given"  # a report whose region was not given


class BadMonth(ValueError):
    pass


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        match = MONTH_PATTERN.match(text or "")
        if not match or not 1990 <= int(match.group(1)) <= 2999:
            raise BadMonth(f"a month is written YYYY-MM, for example 2026-03 (not {text!r})")
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @classmethod
    def containing(cls, moment: datetime) -> Month:
        """The month of Morocco's calendar in which `moment` (aware) falls."""
        local = moment.astimezone(MOROCCO)
        return cls(local.year, local.month)

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in UTC of the month as lived in Morocco."""
        following = self.next()
        return start_of_day(date(self.year, self.month, 1)), start_of_day(
            date(following.year, following.month, 1)
        )


def months_of_year(year: int) -> list[Month]:
    return [Month(year, month) for month in range(1, 13)]


@dataclass(frozen=True)
class CountRow:
    month: str
    category: str
    region: str
    status: str
    count: int


def monthly_counts_query(month: Month) -> Select[str, str | None, str, int]:
    start, end = month.bounds()
    return (
        select(Report.category, Report.region, Report.status, func.count())
        .where(Report.created_at >= start, Report.created_at < end)
        .group_by(Report.category, Report.region, Report.status)
        .order_by(Report.category, Report.region, Report.status)
    )


def monthly_counts(months: list[Month]) -> Iterator[CountRow]:
    """The rows of each month in turn, streamed from the database."""
    for month in months:
        result = db.session.execute(monthly_counts_query(month).execution_options(yield_per=1000))
        for row in result:
            yield CountRow(str(month), row[0], row[1] or NOT_GIVEN, row[2], int(row[3]))


def breakdown(months: list[Month], dimension: str) -> list[tuple[str, int]]:
    """Totals over the months by one column (category, region, status, channel or language)."""
    column = {
        "category": Report.category,
        "region": Report.region,
        "status": Report.status,
        "channel": Report.channel,
        "language": Report.language,
    }[dimension]
    start, end = months[0].bounds()[0], months[-1].bounds()[1]
    rows = db.session.execute(
        select(column, func.count())
        .where(Report.created_at >= start, Report.created_at < end)
        .group_by(column)
        .order_by(column)
    )
    return [(value or NOT_GIVEN, int(count)) for value, count in rows]
