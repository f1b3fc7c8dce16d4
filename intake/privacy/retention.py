"""How long personal data are kept, and their erasure: by retention (a daily beat job), or at the
citizen's request once an officer agrees. What is erased: the reporter's name and contact, the
description, the suspects' identifiers as typed, the evidence files (and previews, deleted for
real), the messages, the public notes and the internal notes. What stays: the report's codes, dates
and status (so monthly counts never change), and the links to identifier groups (keyed hashes that
reveal nothing without the key). A legal hold stops both until it is lifted.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, exists, or_, select, tuple_

from intake.extensions import db
from intake.officer.audit import record
from intake.officer.models import CaseNote
from intake.privacy.models import ErasureDecision, ErasureRequest, LegalHold, RefusalReason
from intake.reports.evidence import EvidenceStore
from intake.reports.models import Report, ReportStatus
from intake.types import utcnow

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


class HoldError(ValueError):
    """A hold or an erasure that cannot be done as asked; `code` names why (for the officer's page)."""

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


def _no_hold() -> Any:
    return ~exists(
        select(LegalHold.id).where(LegalHold.report_id == Report.id, LegalHold.lifted_at.is_(None))
    )


def expired(
    config: Mapping[str, Any], now: datetime, limit: int = BATCH, after: tuple[datetime, int] | None = None
) -> list[Report]:
    """Closed reports whose keeping time has run out since their last change, not held, not erased,
    oldest first, a page at a time after `after` (each final status reads its own index range)."""
    periods = [
        (Report.status == status) & (Report.last_event_at < now - timedelta(days=days))
        for status, days in retention_days(config).items()
    ]
    query = select(Report).where(Report.erased_at.is_(None), or_(*periods), _no_hold())
    if after is not None:
        query = query.where(tuple_(Report.last_event_at, Report.id) > tuple_(*after))
    return list(db.session.scalars(query.order_by(Report.last_event_at, Report.id).limit(limit)))


def erase(
    report: Report,
    store: EvidenceStore,
    cause: ErasureCause,
    staff_id: int | None = None,
    ip: str | None = None,
) -> None:
    """Erase the report's personal data (the caller commits). The files go first, for real: if the
    commit then fails, the next run erases the rows again, and never leaves a file without its row."""
    if report.erased_at is not None:
        return
    if active_hold(report.id) is not None:
        raise HoldError("held")
    for item in report.evidence:
        for name in (item.stored_name, item.preview_name):
            if name:
                store.delete(name)
    report.evidence.clear()
    report.suspects.clear()
    report.messages.clear()
    for step in report.history:
        step.public_note = None
    db.session.execute(delete(CaseNote).where(CaseNote.report_id == report.id))
    for hold in db.session.scalars(select(LegalHold).where(LegalHold.report_id == report.id)):
        hold.reason = None
    for request in db.session.scalars(select(ErasureRequest).where(ErasureRequest.report_id == report.id)):
        request.note = None
    report.reporter_name = report.reporter_email = report.reporter_phone = None
    report.reporter_email_index = report.reporter_phone_index = None
    report.description = None
    report.notify_email = report.notify_sms = False
    report.erased_at = utcnow()
    report.erasure_cause = cause.value
    record("erasure", staff_id, report.id, ip, cause=cause.value)


@dataclass(frozen=True)
class Expired:
    reference: str
    status: str
    last_event_at: datetime | None


def apply_retention(
    config: Mapping[str, Any], store: EvidenceStore, now: datetime | None = None, dry_run: bool = False
) -> list[Expired]:
    """Erase what has expired, one report per unit of work (committed here, each on its own, so that
    a failure stops nothing already done); with `dry_run`, only say what would go."""
    now = now or utcnow()
    done: list[Expired] = []
    after: tuple[datetime, int] | None = None
    while batch := expired(config, now, BATCH, after):
        last = batch[-1]
        after = (last.last_event_at or now, last.id)  # expired() finds only reports that have one
        for report in batch:
            done.append(Expired(report.reference, report.status, report.last_event_at))
            if dry_run:
                continue
            try:
                erase(report, store, ErasureCause.RETENTION)
                # Each erasure is its own unit of work: what was erased stays erased if a later one fails.
                db.session.commit()
            except HoldError:  # held since it was read: kept
                db.session.rollback()
                done.pop()
    db.session.rollback()
    return done


def place_hold(report: Report, staff_id: int, reason: str, ip: str | None = None) -> LegalHold:
    if report.erased_at is not None:
        raise HoldError("erased")
    if active_hold(report.id) is not None:
        raise HoldError("already_held")
    hold = LegalHold(report_id=report.id, placed_by_id=staff_id, placed_at=utcnow())
    hold.reason = reason
    db.session.add(hold)
    db.session.flush()
    record("legal_hold", staff_id, report.id, ip)
    return hold


def lift_hold(report: Report, staff_id: int, ip: str | None = None) -> None:
    hold = active_hold(report.id)
    if hold is None:
        raise HoldError("not_held")
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


def grant_request(report: Report, store: EvidenceStore, staff_id: int, ip: str | None = None) -> None:
    request = pending_request(report.id)
    if request is None:
        raise HoldError("no_request")
    erase(report, store, ErasureCause.CITIZEN_REQUEST, staff_id, ip)
    request.decided_at = utcnow()
    request.decided_by_id = staff_id
    request.decision = ErasureDecision.ERASED.value


def refuse_request(
    report: Report, staff_id: int, refusal: str, note: str | None = None, ip: str | None = None
) -> None:
    request = pending_request(report.id)
    if request is None:
        raise HoldError("no_request")
    if refusal not in {reason.value for reason in RefusalReason}:
        raise HoldError("refusal")
    request.decided_at = utcnow()
    request.decided_by_id = staff_id
    request.decision = ErasureDecision.REFUSED.value
    request.refusal = refusal
    request.note = note or None
    record("erasure_refused", staff_id, report.id, ip, refusal=refusal)
