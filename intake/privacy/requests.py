"""A citizen's request to erase their personal data, and the officer's decision: erase (a closed
case only: an open one is closed first, through the workflow) or refuse, saying why. Every step
takes the report's lock, so a request, a refusal and an erasure of one case never cross."""

from __future__ import annotations

from sqlalchemy import select

from intake.extensions import db
from intake.officer.audit import record
from intake.privacy.erasure import ErasureCause, erase
from intake.privacy.errors import PrivacyRefused
from intake.privacy.models import ErasureDecision, ErasureRequest, RefusalReason
from intake.reports.locking import lock_report
from intake.reports.models import Report
from intake.types import utcnow


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
    if lock_report(report.id).erased_at is not None or pending_request(report.id) is not None:
        return None
    request = ErasureRequest(report_id=report.id, requested_at=utcnow())
    db.session.add(request)
    db.session.flush()
    record("erasure_requested", None, report.id, None)
    return request


def grant_request(report: Report, staff_id: int, ip: str | None = None) -> None:
    """Erase as the citizen asked (erase() answers their waiting request)."""
    lock_report(report.id)
    if pending_request(report.id) is None:
        raise PrivacyRefused("no_request")
    erase(report, ErasureCause.CITIZEN_REQUEST, staff_id, ip)


def refuse_request(
    report: Report, staff_id: int, refusal: str, note: str | None = None, ip: str | None = None
) -> None:
    if refusal not in {reason.value for reason in RefusalReason}:
        raise PrivacyRefused("refusal")
    if lock_report(report.id).erased_at is not None:
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
