"""Case work on one report: claim, assign, move through the workflow, notes, messages, and the
citizen's answer. Every change checks the version the officer saw (optimistic locking), so of two
officers acting at once the second is told, and nothing is overwritten."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, select, update

from intake.extensions import db
from intake.officer.audit import record
from intake.officer.models import CaseNote
from intake.officer.workflow import MESSAGE_REQUIRED, REASON_REQUIRED, may_move
from intake.reports.models import OPEN_STATUSES, Report, ReportMessage, ReportStatus, StatusChange
from intake.staff.models import Role, Staff
from intake.types import utcnow

MESSAGE_MAX = 5000
# Closed reports are reopened first; a report not yet triaged is not ready for an officer.
ASSIGNABLE = frozenset(s.value for s in OPEN_STATUSES) - {ReportStatus.RECEIVED.value}


class CaseConflict(Exception):
    """Someone else changed the report since this officer loaded it."""


class CaseError(ValueError):
    def __init__(self, message: LazyString) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Actor:
    staff_id: int
    role: str
    ip: str | None

    @property
    def label(self) -> str:
        return f"staff:{self.staff_id}"


def find_report(reference: str) -> Report | None:
    return db.session.scalar(select(Report).where(Report.reference == reference))


def open_case(reference: str, actor: Actor) -> Report | None:
    """The report, and a `view` event in the audit log."""
    report = find_report(reference)
    if report is not None:
        record("view", actor.staff_id, report.id, actor.ip)
    return report


def _text(value: str | None, required: LazyString | None) -> str | None:
    text = (value or "").strip()
    if not text:
        if required is not None:
            raise CaseError(required)
        return None
    if len(text) > MESSAGE_MAX:
        raise CaseError(_l("This text is too long (%(max)s characters at most).", max=MESSAGE_MAX))
    return text


def _update(report_id: int, version: int, **values: object) -> None:
    """Write only if nobody changed the report since `version` was read."""
    result: CursorResult[tuple[()]] = db.session.execute(  # type: ignore[assignment]
        update(Report)
        .where(Report.id == report_id, Report.version == version)
        .values(**values, version=Report.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise CaseConflict()


def _history(report: Report, to: str, actor_label: str, note: str | None = None) -> None:
    db.session.add(
        StatusChange(
            report_id=report.id,
            from_status=report.status,
            to_status=to,
            changed_at=utcnow(),
            changed_by=actor_label,
            public_note=note,
        )
    )


def assign(report: Report, version: int, actor: Actor, assignee_id: int | None = None) -> None:
    """Claim (no assignee: oneself) or, for supervisors, assign to someone; a triaged report becomes
    `assigned`."""
    target = actor.staff_id if assignee_id is None else assignee_id
    supervisor = actor.role in {Role.SUPERVISOR, Role.ADMIN}
    if target != actor.staff_id and not supervisor:
        raise CaseError(_l("Only a supervisor can assign a report to someone else."))
    if report.assigned_to_id not in (None, actor.staff_id) and not supervisor:
        raise CaseError(_l("Another officer has this report. Ask a supervisor to reassign it."))
    if report.status not in ASSIGNABLE:
        raise CaseError(_l("This report cannot be assigned in its current status."))
    staff = db.session.get(Staff, target)
    if staff is None or not staff.active:
        raise CaseError(_l("Choose an active member of staff."))
    values: dict[str, object] = {"assigned_to_id": target}
    if report.status == ReportStatus.TRIAGED.value:
        values["status"] = ReportStatus.ASSIGNED.value
        _history(report, ReportStatus.ASSIGNED.value, actor.label)
    _update(report.id, version, **values)
    record("assign", actor.staff_id, report.id, actor.ip, assignee=target)


def change_status(
    report: Report, version: int, actor: Actor, to: str, reason: str | None = None, message: str | None = None
) -> None:
    if not may_move(report.status, to, actor.role):
        raise CaseError(_l("This status cannot follow the current one."))
    reason = _text(reason, _l("Give the reason.") if to in REASON_REQUIRED else None)
    message = _text(message, _l("Write the question for the citizen.") if to in MESSAGE_REQUIRED else None)
    values: dict[str, object] = {"status": to, "citizen_replied_at": None}
    if report.assigned_to_id is None:
        values["assigned_to_id"] = actor.staff_id
    _history(report, to, actor.label, reason)
    if message:
        db.session.add(
            ReportMessage(report_id=report.id, author="officer", body=message, created_at=utcnow())
        )
    _update(report.id, version, **values)
    record("status", actor.staff_id, report.id, actor.ip, from_status=report.status, to_status=to)


def add_note(report: Report, actor: Actor, body: str) -> None:
    text = _text(body, _l("Write the note."))
    db.session.add(CaseNote(report_id=report.id, staff_id=actor.staff_id, body=text, created_at=utcnow()))
    record("note", actor.staff_id, report.id, actor.ip)


def send_message(report: Report, actor: Actor, body: str) -> None:
    """A public message: the citizen reads it on the tracking page."""
    text = _text(body, _l("Write the message."))
    db.session.add(ReportMessage(report_id=report.id, author="officer", body=text, created_at=utcnow()))
    record("message", actor.staff_id, report.id, actor.ip)


def notes(report_id: int) -> list[CaseNote]:
    return list(
        db.session.scalars(select(CaseNote).where(CaseNote.report_id == report_id).order_by(CaseNote.id))
    )
