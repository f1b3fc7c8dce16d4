"""Removing the demo: the demo reports and everything that hangs off them (their evidence files and
previews on disk too), the identifier groups only they formed, the audit entries, jobs and
notifications about them, and the demo's staff accounts, leaving real reports and real staff as they
are. The status counts are adjusted by one delta per status, as the status owner would.

A group that real reports name too stays, as it would be had the demo never been: counted, first and
last seen, and a campaign, from its real reports alone.

A demo account that real work names (a step in a real report's history, a note, an assignment, an
audit entry on a real report, or anything it did beyond its own sessions: an account made, an export)
cannot go without rewriting that work or its audit trail: it is disabled instead, and said.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)

from intake.extensions import db
from intake.notifications.models import Notification
from intake.officer.models import AuditEvent, CaseNote
from intake.outbox.kinds import job_kind
from intake.outbox.models import OutboxJob
from intake.privacy.models import ErasureRequest, LegalHold
from intake.reports.models import CaseEvent, EvidenceFile, Report, StatusChange
from intake.staff.models import Staff
from intake.staff.services import revoke_sessions
from intake.stats.models import StatusCountDelta
from intake.triage.models import GroupMember, IdentifierGroup
from intake.types import table_of

# What an account's audit entries may say of its own sessions only: they go with a demo account. Any
# other entry without a report (an account made or changed, an export) is real work it did.
OWN_SESSION_ACTIONS = (
    "login",
    "logout",
    "second_factor_enrolled",
    "second_factor_failed",
    "recovery_code_used",
    "password_changed",
    "password_change_failed",
)


@dataclass(frozen=True)
class ClearResult:
    reports: int
    accounts_removed: int
    # Demo accounts disabled rather than removed, because real work names them (their e-mails).
    accounts_kept: list[str]
    identifier_groups_removed: int
    # Evidence files and previews of the removed reports: the caller deletes them once it has committed.
    stored_names: list[str]


def _demo_reports() -> Select[Any]:
    return select(Report.id).where(Report.demo.is_(True))


def _subjects(kind_name: str, ids: Select[Any]) -> Select[Any]:
    """The outbox subjects (`triage:42`, intake.outbox.kinds.JobKind.subject) of these ids, in SQL,
    so that no list of ids is sent."""
    prefix = job_kind(kind_name).subject(0).removesuffix("0")
    return ids.with_only_columns(literal(prefix) + cast(ids.selected_columns[0], String))


def clear_demo() -> ClearResult:
    """Remove every demo row (the caller commits, then deletes `stored_names` from the store)."""
    demo = _demo_reports()
    names = [
        name
        for stored, preview in db.session.execute(
            select(EvidenceFile.stored_name, EvidenceFile.preview_name).where(
                EvidenceFile.report_id.in_(demo)
            )
        )
        for name in (stored, preview)
        if name
    ]
    statuses = db.session.execute(
        select(Report.status, func.count()).where(Report.demo.is_(True)).group_by(Report.status)
    ).all()
    groups_removed = _leave_groups(demo)
    jobs_about_demo = [
        _subjects("triage", demo),
        _subjects("case_event", select(CaseEvent.id).where(CaseEvent.report_id.in_(demo))),
        _subjects("evidence", select(EvidenceFile.id).where(EvidenceFile.report_id.in_(demo))),
        _subjects("notification", select(Notification.id).where(Notification.report_id.in_(demo))),
    ]
    for subjects in jobs_about_demo:
        db.session.execute(delete(OutboxJob).where(OutboxJob.subject.in_(subjects)))
    db.session.execute(delete(AuditEvent).where(AuditEvent.report_id.in_(demo)))
    # The rest of what hangs off a report goes with it (ON DELETE CASCADE).
    removed = db.session.execute(delete(Report).where(Report.demo.is_(True))).rowcount  # type: ignore[attr-defined]
    if statuses:
        db.session.execute(
            insert(table_of(StatusCountDelta)),
            [{"status": status, "delta": -int(count)} for status, count in statuses],
        )
    removed_accounts, kept = _remove_demo_staff()
    db.session.flush()
    return ClearResult(int(removed or 0), removed_accounts, kept, groups_removed, names)


def _leave_groups(demo: Select[Any]) -> int:
    """As an erasure does (intake.privacy.erasure._leave_groups), for all the demo reports at once:
    each group counts its demo reports out; a group no report names any more goes; a group real
    reports name too is what they alone make of it."""
    counted = db.session.execute(
        select(GroupMember.group_id, func.count())
        .where(GroupMember.report_id.in_(demo))
        .group_by(GroupMember.group_id)
    ).all()
    if not counted:
        return 0
    shared = _real_sightings(demo)
    db.session.execute(delete(GroupMember).where(GroupMember.report_id.in_(demo)))
    groups = table_of(IdentifierGroup)
    db.session.execute(
        update(groups)
        .where(groups.c.id == bindparam("group"))
        .values(report_count=groups.c.report_count - bindparam("left")),
        [{"group": group_id, "left": int(count)} for group_id, count in counted],
    )
    if shared:
        db.session.execute(
            update(groups)
            .where(groups.c.id == bindparam("group"))
            .values(
                first_seen_at=bindparam("first"),
                last_seen_at=bindparam("last"),
                campaign_at=bindparam("campaign"),
            ),
            [
                {"group": group_id, "first": seen[0], "last": seen[-1], "campaign": _campaign_at(seen)}
                for group_id, seen in shared.items()
            ],
        )
    emptied = delete(IdentifierGroup).where(
        IdentifierGroup.report_count <= 0,
        ~select(GroupMember.id).where(GroupMember.group_id == IdentifierGroup.id).exists(),
    )
    return int(db.session.execute(emptied).rowcount or 0)  # type: ignore[attr-defined]


def _real_sightings(demo: Select[Any]) -> dict[int, list[datetime]]:
    """The groups that demo and real reports share: their real reports' filing times, in order."""
    touched = select(GroupMember.group_id).where(GroupMember.report_id.in_(demo))
    shared: dict[int, list[datetime]] = {}
    for group_id, created in db.session.execute(
        select(GroupMember.group_id, GroupMember.report_created_at)
        .where(GroupMember.group_id.in_(touched), GroupMember.report_id.not_in(demo))
        .order_by(GroupMember.group_id, GroupMember.report_created_at)
    ):
        shared.setdefault(int(group_id), []).append(created)
    return shared


def _campaign_at(seen: list[datetime]) -> datetime | None:
    """When the real reports alone reached the campaign threshold within the window (at the filing of
    the one that reached it: triage's own moment is not kept), or None: a campaign the demo made is
    no campaign of theirs."""
    threshold = current_app.config["CAMPAIGN_THRESHOLD"]
    window = timedelta(days=current_app.config["CAMPAIGN_WINDOW_DAYS"])
    for index, at in enumerate(seen):
        if index + 1 - bisect.bisect_left(seen, at - window, 0, index + 1) >= threshold:
            return at
    return None


def _named_by_real_work(staff_ids: Sequence[int]) -> set[int]:
    """The demo accounts that rows of real reports name (the demo reports are gone by now), or whose
    audit entries record more than their own sessions (an account made, an export)."""
    references: list[tuple[Any, ColumnElement[Any] | None]] = [
        (StatusChange.actor_staff_id, None),
        (CaseEvent.actor_staff_id, None),
        (LegalHold.placed_by_id, None),
        (LegalHold.lifted_by_id, None),
        (ErasureRequest.decided_by_id, None),
        (CaseNote.staff_id, None),
        (Report.assigned_to_id, None),
        (
            AuditEvent.staff_id,
            AuditEvent.report_id.is_not(None) | AuditEvent.action.not_in(OWN_SESSION_ACTIONS),
        ),
    ]
    named: set[int] = set()
    for column, condition in references:
        query = select(column).where(column.in_(staff_ids)).distinct()
        if condition is not None:
            query = query.where(condition)
        named.update(int(staff_id) for staff_id in db.session.scalars(query))
    return named


def _remove_demo_staff() -> tuple[int, list[str]]:
    accounts = db.session.execute(
        select(Staff.id, Staff.email).where(Staff.demo.is_(True)).order_by(Staff.id)
    ).all()
    if not accounts:
        return 0, []
    named = _named_by_real_work([staff_id for staff_id, _ in accounts])
    kept = [(staff_id, email) for staff_id, email in accounts if staff_id in named]
    gone = [staff_id for staff_id, _ in accounts if staff_id not in named]
    for staff_id, _ in kept:
        db.session.execute(update(Staff).where(Staff.id == staff_id).values(active=False))
        revoke_sessions(staff_id)
    if gone:
        # Their own sessions' entries (logins…), and the record of their creation by `demo seed`.
        db.session.execute(delete(AuditEvent).where(AuditEvent.staff_id.in_(gone)))
        created = db.session.execute(
            select(AuditEvent.id, AuditEvent.details).where(
                AuditEvent.action == "account_created",
                AuditEvent.staff_id.is_(None),
                AuditEvent.report_id.is_(None),
            )
        ).all()
        records = [event_id for event_id, details in created if (details or {}).get("account") in set(gone)]
        if records:
            db.session.execute(delete(AuditEvent).where(AuditEvent.id.in_(records)))
        db.session.execute(delete(Staff).where(Staff.id.in_(gone)))
    return len(gone), [email for _, email in kept]
