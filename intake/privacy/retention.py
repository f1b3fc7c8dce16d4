"""How long personal data are kept, and their erasure: by retention (a daily beat job), or at the
citizen's request once an officer agrees. What is erased: the reporter's name and contact, the
description, the suspects' identifiers (and the links to identifier groups: a group no other report
names goes with its identifier), the evidence files (and previews, deleted for real by the
`file_deletion` job once the erasure is committed), the messages, the public notes and the internal
notes. What stays: the report's codes, dates and status, so monthly counts never change. A legal
hold stops both until it is lifted.

An erased report is frozen: no status change (intake.reports.status), note or message is added to
it afterwards. Erasure, holds and status changes of one case take the report's row lock, so they
happen one after the other and each sees what the other committed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, exists, or_, select, tuple_, update

from intake.extensions import db
from intake.officer.audit import record
from intake.officer.models import CaseNote
from intake.outbox.services import enqueue
from intake.privacy.models import DiscardedFile, ErasureDecision, ErasureRequest, LegalHold, RefusalReason
from intake.reports.evidence import EvidenceStore, evidence_store
from intake.reports.locking import lock_report
from intake.reports.models import (
    EvidenceFile,
    Report,
    ReportMessage,
    ReportStatus,
    StatusChange,
    SuspectIdentifier,
)
from intake.triage.models import GroupMember, IdentifierGroup
from intake.types import utcnow
from intake.unit_of_work import commit

log = logging.getLogger(__name__)
# The setting that says, per final status, how many days personal data are kept after the last change.
RETENTION_SETTINGS = {
    ReportStatus.RESOLVED.value: "RETAIN_RESOLVED_DAYS",
    ReportStatus.REJECTED.value: "RETAIN_REJECTED_DAYS",
    ReportStatus.REFERRED.value: "RETAIN_REFERRED_DAYS",
}
BATCH = 100


class ErasureCause(StrEnum):
    RETENTION = "retention"
    CITIZEN_REQUEST = "citizen_request"


class PrivacyRefused(ValueError):
    """A hold, an erasure or a decision on a request that cannot be done as asked; `code` names why
    (for the officer's page)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def retention_days(config: Mapping[str, Any]) -> dict[str, int]:
    return {status: int(config[setting]) for status, setting in RETENTION_SETTINGS.items()}


def kept_until(report: Report, config: Mapping[str, Any]) -> datetime | None:
    """When a closed report's personal data will be erased (unless held); None while it is open."""
    days = retention_days(config).get(report.status)
    if days is None or report.last_event_at is None or report.erased_at is not None:
        return None
    return report.last_event_at + timedelta(days=days)


def active_hold(report_id: int) -> LegalHold | None:
    return db.session.scalar(
        select(LegalHold).where(LegalHold.report_id == report_id, LegalHold.lifted_at.is_(None))
    )


def _no_hold() -> ColumnElement[bool]:
    return ~exists(
        select(LegalHold.id).where(LegalHold.report_id == Report.id, LegalHold.lifted_at.is_(None))
    )


def _expired(config: Mapping[str, Any], now: datetime) -> ColumnElement[bool]:
    """Closed, kept past its status's time since the last change, not held, not erased."""
    periods = [
        (Report.status == status) & (Report.last_event_at < now - timedelta(days=days))
        for status, days in retention_days(config).items()
    ]
    return Report.erased_at.is_(None) & or_(*periods) & _no_hold()


def expired(
    config: Mapping[str, Any], now: datetime, limit: int = BATCH, after: tuple[datetime, int] | None = None
) -> list[Report]:
    """Reports whose keeping time has run out, oldest first, a page at a time after `after` (each
    final status reads its own index range)."""
    query = select(Report).where(_expired(config, now))
    if after is not None:
        query = query.where(tuple_(Report.last_event_at, Report.id) > tuple_(*after))
    return list(db.session.scalars(query.order_by(Report.last_event_at, Report.id).limit(limit)))


def erase(report: Report, cause: ErasureCause, staff_id: int | None = None, ip: str | None = None) -> None:
    """Erase the report's personal data (the caller commits). Under the report's lock, so that a
    hold or a status change committed meanwhile is seen; raises PrivacyRefused("held" / "erased")."""
    if lock_report(report.id) is not None:
        raise PrivacyRefused("erased")
    if active_hold(report.id) is not None:
        raise PrivacyRefused("held")
    now = utcnow()
    _discard_evidence(report.id, now)
    _leave_groups(report.id)
    for model in (SuspectIdentifier, ReportMessage, CaseNote):
        db.session.execute(delete(model).where(model.report_id == report.id))
    db.session.execute(
        update(StatusChange).where(StatusChange.report_id == report.id).values(public_note_sealed=None)
    )
    db.session.execute(update(LegalHold).where(LegalHold.report_id == report.id).values(reason_sealed=None))
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
        .execution_options(synchronize_session=False)
    ).all()
    for stored_name, preview_name in names:
        for name in (stored_name, preview_name):
            if name:
                discarded = DiscardedFile(stored_name=name, discarded_at=now)
                db.session.add(discarded)
                db.session.flush()
                enqueue("file_deletion", discarded.id)


def _leave_groups(report_id: int) -> None:
    """The report leaves its identifier groups; a group no report names any more goes, and with it
    the identifier it kept sealed."""
    group_ids = list(
        db.session.scalars(
            delete(GroupMember)
            .where(GroupMember.report_id == report_id)
            .returning(GroupMember.group_id)
            .execution_options(synchronize_session=False)
        )
    )
    if not group_ids:
        return
    db.session.execute(
        update(IdentifierGroup)
        .where(IdentifierGroup.id.in_(group_ids))
        .values(report_count=IdentifierGroup.report_count - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(IdentifierGroup)
        .where(IdentifierGroup.id.in_(group_ids), IdentifierGroup.report_count <= 0)
        .execution_options(synchronize_session=False)
    )


def delete_discarded_file(discarded_id: int, store: EvidenceStore | None = None) -> bool:
    """The `file_deletion` job: delete the file for real, then its row; False when already done."""
    discarded = db.session.get(DiscardedFile, discarded_id)
    if discarded is None:
        return False
    (store or evidence_store()).delete(discarded.stored_name)
    db.session.delete(discarded)
    return True


def files_to_delete(cutoff: datetime) -> Select[Any]:
    """Files discarded before `cutoff` and still there (the reconciler queues them again)."""
    return (
        select(DiscardedFile.id)
        .where(DiscardedFile.discarded_at < cutoff)
        .order_by(DiscardedFile.discarded_at)
    )


@dataclass(frozen=True)
class Expired:
    reference: str
    status: str
    last_event_at: datetime | None


def apply_retention(
    config: Mapping[str, Any], now: datetime | None = None, dry_run: bool = False
) -> list[Expired]:
    """Erase what has expired, one report per unit of work (each committed on its own, so that a
    failure stops nothing already done); with `dry_run`, only say what would go."""
    now = now or utcnow()
    done: list[Expired] = []
    after: tuple[datetime, int] | None = None
    while batch := expired(config, now, BATCH, after):
        last = batch[-1]
        after = (last.last_event_at or now, last.id)  # expired() finds only reports that have one
        found = [(report, Expired(report.reference, report.status, report.last_event_at)) for report in batch]
        for report, seen in found:
            if dry_run or _erase_if_still_expired(report, config, now):
                done.append(seen)
    db.session.rollback()
    return done


def _erase_if_still_expired(report: Report, config: Mapping[str, Any], now: datetime) -> bool:
    """Under the report's lock, look again: a case reopened, changed or held since the page was
    read is kept."""
    lock_report(report.id)
    if db.session.scalar(select(Report.id).where(Report.id == report.id, _expired(config, now))) is None:
        db.session.rollback()
        return False
    erase(report, ErasureCause.RETENTION)
    commit()  # its own unit of work: what was erased stays erased if a later one fails
    return True


def place_hold(report: Report, staff_id: int, reason: str, ip: str | None = None) -> LegalHold:
    if lock_report(report.id) is not None:
        raise PrivacyRefused("erased")
    if active_hold(report.id) is not None:
        raise PrivacyRefused("already_held")
    hold = LegalHold(report_id=report.id, placed_by_id=staff_id, placed_at=utcnow())
    hold.reason = reason
    db.session.add(hold)
    db.session.flush()
    record("legal_hold", staff_id, report.id, ip)
    return hold


def lift_hold(report: Report, staff_id: int, ip: str | None = None) -> None:
    lock_report(report.id)
    hold = active_hold(report.id)
    if hold is None:
        raise PrivacyRefused("not_held")
    hold.lifted_at = utcnow()
    hold.lifted_by_id = staff_id
    record("legal_hold_lifted", staff_id, report.id, ip)


def pending_request(report_id: int) -> ErasureRequest | None:
    return db.session.scalar(
        select(ErasureRequest).where(
            ErasureRequest.report_id == report_id, ErasureRequest.decided_at.is_(None)
        )
    )


def latest_request(report_id: int) -> ErasureRequest | None:
    return db.session.scalar(
        select(ErasureRequest)
        .where(ErasureRequest.report_id == report_id)
        .order_by(ErasureRequest.id.desc())
        .limit(1)
    )


def request_erasure(report: Report) -> ErasureRequest | None:
    """The citizen's request (their code was checked by the caller); None when there is nothing to
    ask: already erased, or a request is waiting for an officer."""
    if report.erased_at is not None or pending_request(report.id) is not None:
        return None
    request = ErasureRequest(report_id=report.id, requested_at=utcnow())
    db.session.add(request)
    db.session.flush()
    record("erasure_requested", None, report.id, None)
    return request


def grant_request(report: Report, staff_id: int, ip: str | None = None) -> None:
    """Erase as the citizen asked (erase() decides their waiting request)."""
    if pending_request(report.id) is None:
        raise PrivacyRefused("no_request")
    erase(report, ErasureCause.CITIZEN_REQUEST, staff_id, ip)


def refuse_request(
    report: Report, staff_id: int, refusal: str, note: str | None = None, ip: str | None = None
) -> None:
    if refusal not in {reason.value for reason in RefusalReason}:
        raise PrivacyRefused("refusal")
    if lock_report(report.id) is not None:
        raise PrivacyRefused("erased")
    request = pending_request(report.id)
    if request is None:
        raise PrivacyRefused("no_request")
    request.decided_at = utcnow()
    request.decided_by_id = staff_id
    request.decision = ErasureDecision.REFUSED.value
    request.refusal = refusal
    request.note = note or None
    record("erasure_refused", staff_id, report.id, ip, refusal=refusal)
