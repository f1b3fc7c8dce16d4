"""Case work on one report: claim, assign, move through the workflow, notes and messages. Every
status change goes through the status owner (intake.reports.status) with the version the officer saw,
so of two officers acting at once the second is told, and nothing is overwritten. Nothing here
commits: the request does, once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from intake.extensions import db
from intake.officer.audit import record
from intake.officer.models import CaseNote
from intake.officer.need_to_know import may_act
from intake.reports.events import record_event
from intake.reports.locking import lock_report
from intake.reports.models import OPEN_STATUSES, ActorKind, CaseEventKind, Report, ReportMessage, ReportStatus
from intake.reports.status import Actor, StatusRefused, amend, move, refuse_stale
from intake.staff.models import Staff, is_supervisor
from intake.types import utcnow

MESSAGE_MAX = 5000
# Closed reports are reopened first; a report not yet triaged is not ready for an officer.
ASSIGNABLE = frozenset(s.value for s in OPEN_STATUSES) - {ReportStatus.RECEIVED.value}
REFUSALS = {
    "workflow": _l("This status cannot follow the current one."),
    "reason": _l("Give the reason."),
    "message": _l("Write the question for the citizen."),
    "erased": _l("The personal data of this case were erased: nothing more can be added to it."),
    "taken": _l("Another officer has this report. Ask a supervisor to reassign it."),
}


class CaseError(ValueError):
    def __init__(self, message: LazyString) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Officer:
    """The member of staff acting, and from where (for the audit log)."""

    staff_id: int
    role: str
    ip: str | None

    @property
    def actor(self) -> Actor:
        return Actor.staff(self.staff_id, self.role)


def find_report(reference: str) -> Report | None:
    return db.session.scalar(select(Report).where(Report.reference == reference))


def open_case(report: Report, officer: Officer) -> None:
    """A `view` event in the audit log: who read which case, when, from where."""
    record("view", officer.staff_id, report.id, officer.ip)


def _text(value: str | None, required: LazyString | None) -> str | None:
    text = (value or "").strip()
    if not text:
        if required is not None:
            raise CaseError(required)
        return None
    if len(text) > MESSAGE_MAX:
        raise CaseError(_l("This text is too long (%(max)s characters at most).", max=MESSAGE_MAX))
    return text


def assign(report: Report, version: int, officer: Officer, assignee_id: int | None = None) -> None:
    """Claim (no assignee: oneself) or, for supervisors, assign to someone; a triaged report becomes
    `assigned`, any other open report just changes hands (and version)."""
    refuse_stale(report, version)
    target = officer.staff_id if assignee_id is None else assignee_id
    supervisor = is_supervisor(officer.role)
    if target != officer.staff_id and not supervisor:
        raise CaseError(_l("Only a supervisor can assign a report to someone else."))
    if report.assigned_to_id not in (None, officer.staff_id) and not supervisor:
        raise CaseError(REFUSALS["taken"])
    if report.status not in ASSIGNABLE:
        raise CaseError(_l("This report cannot be assigned in its current status."))
    staff = db.session.get(Staff, target)
    if staff is None or not staff.active:
        raise CaseError(_l("Choose an active member of staff."))
    if report.status == ReportStatus.TRIAGED.value:
        _move(report, ReportStatus.ASSIGNED.value, officer, version, assigned_to_id=target)
    elif report.assigned_to_id == target:
        return  # already theirs: nothing changes, nothing to tell
    else:
        try:
            amend(
                report,
                officer.actor,
                expected_version=version,
                kind=CaseEventKind.ASSIGNMENT,
                assigned_to_id=target,
            )
        except StatusRefused as refused:
            raise CaseError(REFUSALS[refused.code]) from refused
    record("assign", officer.staff_id, report.id, officer.ip, assignee=target)


def change_status(
    report: Report,
    version: int,
    officer: Officer,
    to: str,
    reason: str | None = None,
    message: str | None = None,
) -> None:
    source = report.status
    values: dict[str, Any] = {"citizen_replied_at": None}
    if report.assigned_to_id is None:
        values["assigned_to_id"] = officer.staff_id
    _move(report, to, officer, version, reason=_text(reason, None), message=_text(message, None), **values)
    record("status", officer.staff_id, report.id, officer.ip, from_status=source, to_status=to)


def _move(
    report: Report,
    to: str,
    officer: Officer,
    version: int,
    reason: str | None = None,
    message: str | None = None,
    **values: Any,
) -> None:
    try:
        move(report, to, officer.actor, reason=reason, message=message, expected_version=version, **values)
    except StatusRefused as refused:
        raise CaseError(REFUSALS[refused.code]) from refused


def _refuse_if_erased_or_taken(report: Report, officer: Officer, action: str) -> None:
    """Notes and messages take the report's lock, as an erasure and a claim do: none lands after an
    erasure, nor after a colleague took the case while the officer was writing (need-to-know is
    checked again under the lock)."""
    if lock_report(report.id).erased_at is not None:
        raise CaseError(REFUSALS["erased"])
    db.session.refresh(report, ["assigned_to_id"])
    if not may_act(officer.role, officer.staff_id, report.assigned_to_id, action):
        raise CaseError(REFUSALS["taken"])


def add_note(report: Report, officer: Officer, body: str) -> None:
    text = _text(body, _l("Write the note."))
    _refuse_if_erased_or_taken(report, officer, "note")
    db.session.add(CaseNote(report_id=report.id, staff_id=officer.staff_id, body=text, created_at=utcnow()))
    record("note", officer.staff_id, report.id, officer.ip)


def send_message(report: Report, officer: Officer, body: str) -> None:
    """A public message: the citizen reads it on the tracking page (and may be told there is news)."""
    text = _text(body, _l("Write the message."))
    _refuse_if_erased_or_taken(report, officer, "message")
    now = utcnow()
    db.session.add(ReportMessage(report_id=report.id, author="officer", body=text, created_at=now))
    record_event(
        report.id,
        CaseEventKind.MESSAGE,
        ActorKind.STAFF,
        officer.staff_id,
        from_status=report.status,
        to_status=report.status,
        at=now,
    )
    record("message", officer.staff_id, report.id, officer.ip)


def notes(report_id: int) -> list[CaseNote]:
    return list(
        db.session.scalars(select(CaseNote).where(CaseNote.report_id == report_id).order_by(CaseNote.id))
    )
