"""The admin dashboard's numbers, each computed by the database (counts, groups, medians)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, cast, func, literal_column, select

from intake.extensions import db
from intake.reports.models import OPEN_STATUSES, ActorKind, Report, ReportStatus, StatusChange
from intake.stats.counts import Month, breakdown
from intake.triage.models import IdentifierGroup

BUSIEST_CAMPAIGNS = 10


@dataclass(frozen=True)
class Campaign:
    group_id: int
    kind: str
    normalised: str
    report_count: int
    since: datetime


@dataclass(frozen=True)
class Dashboard:
    months: list[tuple[str, int]]
    by_category: list[tuple[str, int]]
    by_region: list[tuple[str, int]]
    by_status: list[tuple[str, int]]
    backlog_by_priority: list[tuple[str, int]]
    median_hours_to_first_action: float | None
    median_hours_to_resolution: float | None
    campaigns: list[Campaign]


def last_twelve_months(current: Month) -> list[Month]:
    """The twelve months ending with `current`, oldest first."""
    months = [current]
    for _ in range(11):
        months.append(months[-1].previous())
    return list(reversed(months))


def _count_between(start: datetime, end: datetime) -> int:
    return int(
        db.session.scalar(
            select(func.count(Report.id)).where(Report.created_at >= start, Report.created_at < end)
        )
        or 0
    )


def _seconds_between(later: Any, earlier: Any) -> Any:
    """Seconds between two timestamps, in the dialect in use."""
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400


def _median_hours(durations: Any) -> float | None:
    """The middle value of a subquery's `seconds` column, by ORDER BY … OFFSET (any dialect)."""
    subquery = durations.subquery()
    total = db.session.scalar(select(func.count()).select_from(subquery)) or 0
    if not total:
        return None
    seconds = subquery.c.seconds
    # the middle value, or the mean of the two middle values when the count is even
    middle = db.session.scalars(
        select(cast(seconds, Float)).order_by(seconds).offset((total - 1) // 2).limit(2 - total % 2)
    ).all()
    return round(sum(float(v or 0) for v in middle) / len(middle) / 3600, 1)


def _seconds_from_filing_to(step: ColumnElement[bool], start: datetime, end: datetime) -> Any:
    """For each report filed in [start, end): seconds from filing to its first history step matching
    `step` (the first officer action, the resolution)."""
    first = (
        select(StatusChange.report_id, func.min(StatusChange.changed_at).label("at"))
        .where(step, StatusChange.changed_at >= start)
        .group_by(StatusChange.report_id)
        .subquery()
    )
    return (
        select(_seconds_between(first.c.at, Report.created_at).label("seconds"))
        .join(first, first.c.report_id == Report.id)
        .where(Report.created_at >= start, Report.created_at < end)
    )


def build_dashboard(current: Month) -> Dashboard:
    months = last_twelve_months(current)
    start, end = months[0].bounds()[0], months[-1].bounds()[1]
    backlog = db.session.execute(
        select(func.coalesce(Report.priority, literal_column("'untriaged'")), func.count(Report.id))
        .where(Report.status.in_([s.value for s in OPEN_STATUSES]))
        .group_by(Report.priority)
    ).all()
    campaigns = db.session.scalars(
        select(IdentifierGroup)
        .where(IdentifierGroup.campaign_at.is_not(None))
        .order_by(IdentifierGroup.report_count.desc())
        .limit(BUSIEST_CAMPAIGNS)
    )
    return Dashboard(
        months=[(str(m), _count_between(*m.bounds())) for m in months],
        by_category=breakdown(months, "category"),
        by_region=breakdown(months, "region"),
        by_status=breakdown(months, "status"),
        backlog_by_priority=[(str(priority), int(count)) for priority, count in backlog],
        median_hours_to_first_action=_median_hours(
            _seconds_from_filing_to(StatusChange.actor_kind == ActorKind.STAFF.value, start, end)
        ),
        median_hours_to_resolution=_median_hours(
            _seconds_from_filing_to(StatusChange.to_status == ReportStatus.RESOLVED.value, start, end)
        ),
        campaigns=[
            Campaign(g.id, g.kind, g.normalised, g.report_count, g.campaign_at)
            for g in campaigns
            if g.campaign_at
        ],
    )
