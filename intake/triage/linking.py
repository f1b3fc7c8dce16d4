"""Links between reports: shared identifiers (through groups, one per identifier), campaigns, and
probable duplicates. Every query reads an index range of bounded size, so linking a report costs the
same with a thousand reports or a million."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from intake.extensions import db
from intake.privacy.blind import suspect_index
from intake.privacy.sealing import seal
from intake.reports.models import Report
from intake.triage.lexicon import normalise
from intake.triage.models import GroupMember, IdentifierGroup

DUPLICATE_WINDOW = timedelta(hours=24)
DUPLICATE_SIMILARITY = 0.9
DUPLICATE_CANDIDATES = 20
# Descriptions are compared on their first characters: enough to tell a resent report, and
# SequenceMatcher's cost grows with the square of the length.
DUPLICATE_COMPARED_CHARS = 2000


@dataclass(frozen=True)
class Links:
    group_ids: tuple[int, ...]
    # The most other reports any one identifier of this report appears in.
    seen_in_other_reports: int
    campaign_group_ids: tuple[int, ...]


def _insert(table: type[IdentifierGroup] | type[GroupMember]) -> Any:
    """INSERT … ON CONFLICT for the dialect in use (PostgreSQL in production, SQLite embedded)."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _join_group(kind: str, blind: str, normalised: str, seen_at: datetime) -> tuple[int, int]:
    """Count the report in its identifier's group, creating the group if needed: (id, report_count).

    One statement (upsert) on the blind index, so two workers linking the same new identifier at once
    both count; the identifier itself is kept sealed for the officers who read the group."""
    sealed = seal(normalised, f"identifier_groups.normalised:{kind}:{blind}")
    statement = (
        _insert(IdentifierGroup)
        .values(
            kind=kind,
            blind_index=blind,
            normalised_sealed=sealed,
            report_count=1,
            first_seen_at=seen_at,
            last_seen_at=seen_at,
        )
        .on_conflict_do_update(
            index_elements=["kind", "blind_index"],
            set_={"report_count": IdentifierGroup.report_count + 1, "last_seen_at": seen_at},
        )
        .returning(IdentifierGroup.id, IdentifierGroup.report_count)
    )
    group_id, count = db.session.execute(statement).one()
    return int(group_id), int(count)


def link_report(
    report_id: int,
    created_at: datetime,
    identifiers: list[tuple[str, str]],
    *,
    campaign_threshold: int,
    campaign_window: timedelta,
    now: datetime,
) -> Links:
    """Put the report in the group of each of its identifiers and mark groups that became campaigns.

    Called once per report (triage claims the report first), inside triage's transaction."""
    group_ids: list[int] = []
    campaigns: list[int] = []
    seen_elsewhere = 0
    for kind, normalised in sorted(set(identifiers)):
        if not normalised:
            continue
        group_id, count = _join_group(kind, suspect_index(kind, normalised), normalised, created_at)
        db.session.execute(
            _insert(GroupMember)
            .values(group_id=group_id, report_id=report_id, report_created_at=created_at)
            .on_conflict_do_nothing(index_elements=["group_id", "report_id"])
        )
        group_ids.append(group_id)
        seen_elsewhere = max(seen_elsewhere, count - 1)
        if _recent_reports(group_id, now - campaign_window, campaign_threshold) >= campaign_threshold:
            campaigns.append(group_id)
            db.session.execute(
                update(IdentifierGroup)
                .where(IdentifierGroup.id == group_id, IdentifierGroup.campaign_at.is_(None))
                .values(campaign_at=now)
            )
    return Links(tuple(group_ids), seen_elsewhere, tuple(campaigns))


def _recent_reports(group_id: int, since: datetime, enough: int) -> int:
    """How many of the group's reports are recent, counting no further than `enough` (bounded)."""
    recent = (
        select(GroupMember.id)
        .where(GroupMember.group_id == group_id, GroupMember.report_created_at >= since)
        .limit(enough)
        .subquery()
    )
    return int(db.session.scalar(select(func.count()).select_from(recent)) or 0)


def probable_duplicate_of(report: Report) -> int | None:
    """An earlier report from the same contact, within 24 hours, with a near-identical description."""
    contacts = [
        column == value
        for column, value in (
            (Report.reporter_email_index, report.reporter_email_index),
            (Report.reporter_phone_index, report.reporter_phone_index),
        )
        if value
    ]
    if not contacts:
        return None  # anonymous: nothing says two reports come from the same person
    candidates = db.session.scalars(
        select(Report)
        .where(
            or_(*contacts),
            Report.created_at >= report.created_at - DUPLICATE_WINDOW,
            # strictly earlier (ties broken by id), so two reports never flag each other
            or_(
                Report.created_at < report.created_at,
                and_(Report.created_at == report.created_at, Report.id < report.id),
            ),
        )
        .order_by(Report.created_at.desc(), Report.id.desc())  # the nearest earlier ones
        .limit(DUPLICATE_CANDIDATES)
    ).all()
    text = normalise(report.description or "")[:DUPLICATE_COMPARED_CHARS]
    for candidate in candidates:
        other = normalise(candidate.description or "")[:DUPLICATE_COMPARED_CHARS]
        matcher = difflib.SequenceMatcher(None, text, other)
        if matcher.quick_ratio() >= DUPLICATE_SIMILARITY and matcher.ratio() >= DUPLICATE_SIMILARITY:
            return int(candidate.id)
    return None
