"""Legal holds: a supervisor stops the erasure of a case's personal data (by retention or on the
citizen's request) until the hold is lifted. Placed and lifted under the report's lock, so that an
erasure running at the same moment either sees the hold or has already happened."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, select

from intake.extensions import db
from intake.officer.audit import record
from intake.privacy.errors import PrivacyRefused
from intake.privacy.models import LegalHold
from intake.reports.locking import lock_report
from intake.reports.models import Report
from intake.types import utcnow


def active_hold(report_id: int) -> LegalHold | None:
    return db.session.scalar(
        select(LegalHold).where(LegalHold.report_id == report_id, LegalHold.lifted_at.is_(None))
    )


def no_hold() -> ColumnElement[bool]:
    """In a query on reports: the report is not held."""
    return ~exists(
        select(LegalHold.id).where(LegalHold.report_id == Report.id, LegalHold.lifted_at.is_(None))
    )


def place_hold(report: Report, staff_id: int, reason: str, ip: str | None = None) -> LegalHold:
    if lock_report(report.id).erased_at is not None:
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
