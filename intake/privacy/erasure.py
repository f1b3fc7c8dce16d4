"""Erasing a case's personal data, by retention or at the citizen's request.

What goes: the reporter's name and contact, the description, the amount lost, the suspects'
identifiers (and the report's place in identifier groups: a group no other report names goes, with
the identifier it kept sealed), the evidence files and previews, the messages, the public notes, the
internal notes, the words of holds and requests, and the link to a probable duplicate. What stays:
the codes, dates and status, so monthly counts never change.

The files are deleted for real by the `file_deletion` job, queued in the erasure's own transaction
(`discarded_files`): no file outlives its erasure, even if the process dies right after it. An
erased case is frozen (intake.reports.status refuses any change to it).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, delete, select, update

from intake.extensions import db
from intake.officer.audit import record
from intake.officer.models import CaseNote
from intake.outbox.services import enqueue
from intake.privacy.errors import PrivacyRefused
from intake.privacy.holds import active_hold
from intake.privacy.models import DiscardedFile, ErasureDecision, ErasureRequest, LegalHold
from intake.reports.evidence import EvidenceStore, evidence_store
from intake.reports.locking import lock_report
from intake.reports.models import (
    CLOSED_STATUSES,
    EvidenceFile,
    Report,
    ReportMessage,
    StatusChange,
    SuspectIdentifier,
)
from intake.triage.models import GroupMember, IdentifierGroup
from intake.types import utcnow

_CLOSED = frozenset(status.value for status in CLOSED_STATUSES)


class ErasureCause(StrEnum):
    RETENTION = "retention"
    CITIZEN_REQUEST = "citizen_request"


def erase(report: Report, cause: ErasureCause, staff_id: int | None = None, ip: str | None = None) -> None:
    """Erase the report's personal data (the caller commits). Under the report's lock, so that a
    hold, a status change or a request committed meanwhile is seen. Raises PrivacyRefused: `erased`,
    `held`, or `open` (an open case is closed first, through the workflow: an erased case can no
    longer change, so it would stay open for ever)."""
    locked = lock_report(report.id)
    if locked.erased_at is not None:
        raise PrivacyRefused("erased")
    if locked.status not in _CLOSED:
        raise PrivacyRefused("open")
    if active_hold(report.id) is not None:
        raise PrivacyRefused("held")
    now = utcnow()
    _discard_evidence(report.id, now)
    _leave_groups(report.id)
    for model in (SuspectIdentifier, ReportMessage, CaseNote):
        db.session.execute(
            delete(model).where(model.report_id == report.id).execution_options(synchronize_session="fetch")
        )
    for holder, words in ((StatusChange, "public_note_sealed"), (LegalHold, "reason_sealed")):
        db.session.execute(update(holder).where(holder.report_id == report.id).values({words: None}))
    db.session.execute(
        update(ErasureRequest).where(ErasureRequest.report_id == report.id).values(note_sealed=None)
    )
    # a request still waiting is answered by the erasure itself, whatever caused it
    db.session.execute(
        update(ErasureRequest)
        .where(ErasureRequest.report_id == report.id, ErasureRequest.decided_at.is_(None))
        .values(decided_at=now, decided_by_id=staff_id, decision=ErasureDecision.ERASED.value)
    )
    db.session.expire(report, ["suspects", "evidence", "history", "messages"])
    report.reporter_name = report.reporter_email = report.reporter_phone = None
    report.reporter_email_index = report.reporter_phone_index = None
    report.description = None
    report.loss_amount = report.loss_currency = None
    report.duplicate_of_id = None
    report.notify_email = report.notify_sms = False
    report.erased_at = now
    report.erasure_cause = cause.value
    record("erasure", staff_id, report.id, ip, cause=cause.value)


def _discard_evidence(report_id: int, now: datetime) -> None:
    """The evidence rows go now; their files are queued for deletion (names read as the rows are
    deleted, so a preview a check added meanwhile goes too)."""
    names = db.session.execute(
        delete(EvidenceFile)
        .where(EvidenceFile.report_id == report_id)
        .returning(EvidenceFile.stored_name, EvidenceFile.preview_name)
        .execution_options(synchronize_session="fetch")
    ).all()
    discarded = [
        DiscardedFile(stored_name=name, discarded_at=now)
        for stored_name, preview_name in names
        for name in (stored_name, preview_name)
        if name
    ]
    db.session.add_all(discarded)
    db.session.flush()
    for item in discarded:
        enqueue("file_deletion", item.id)


def _leave_groups(report_id: int) -> None:
    """The report leaves its identifier groups; a group no report names any more goes, and with it
    the identifier it kept sealed."""
    group_ids = list(
        db.session.scalars(
            delete(GroupMember)
            .where(GroupMember.report_id == report_id)
            .returning(GroupMember.group_id)
            .execution_options(synchronize_session="fetch")
        )
    )
    if not group_ids:
        return
    db.session.execute(
        update(IdentifierGroup)
        .where(IdentifierGroup.id.in_(group_ids))
        .values(report_count=IdentifierGroup.report_count - 1)
        .execution_options(synchronize_session="fetch")
    )
    db.session.execute(
        delete(IdentifierGroup)
        .where(IdentifierGroup.id.in_(group_ids), IdentifierGroup.report_count <= 0)
        .execution_options(synchronize_session="fetch")
    )


def delete_discarded_file(discarded_id: int, store: EvidenceStore | None = None) -> bool:
    """The `file_deletion` job: delete the file for real, then its row; False when already done."""
    name = db.session.scalar(select(DiscardedFile.stored_name).where(DiscardedFile.id == discarded_id))
    if name is None:
        return False
    (store or evidence_store()).delete(name)
    db.session.execute(delete(DiscardedFile).where(DiscardedFile.id == discarded_id))
    return True


def files_to_delete(cutoff: datetime) -> Select[Any]:
    """Files discarded before `cutoff` and still there (the reconciler queues them again)."""
    return (
        select(DiscardedFile.id)
        .where(DiscardedFile.discarded_at < cutoff)
        .order_by(DiscardedFile.discarded_at)
    )
