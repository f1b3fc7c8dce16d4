"""Triage a report exactly once in effect: the state is checked in the UPDATE itself."""

from __future__ import annotations

import logging

from sqlalchemy import CursorResult, select, update

from intake.extensions import db
from intake.reports.models import Priority, Report, ReportStatus, StatusChange
from intake.taxonomy import CATEGORY_BY_CODE
from intake.types import utcnow

log = logging.getLogger(__name__)
TRIAGE_ACTOR = "triage"


def initial_priority(category: str) -> Priority:
    """The first rule only: urgent categories go on top. The rule engine will add the others."""
    known = CATEGORY_BY_CODE.get(category)
    return Priority.URGENT if known is not None and known.urgent else Priority.NORMAL


def triage_report(report_id: int) -> bool:
    """Move a `received` report to `triaged`; False when it was already triaged (a redelivery)."""
    category = db.session.scalar(select(Report.category).where(Report.id == report_id))
    if category is None:
        log.warning("triage: report %s does not exist", report_id)
        return False
    now = utcnow()
    result: CursorResult[tuple[()]] = db.session.execute(  # type: ignore[assignment]
        update(Report)
        .where(Report.id == report_id, Report.status == ReportStatus.RECEIVED.value)
        .values(
            status=ReportStatus.TRIAGED.value,
            priority=initial_priority(category).value,
            updated_at=now,
            version=Report.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        return False
    db.session.add(
        StatusChange(
            report_id=report_id,
            from_status=ReportStatus.RECEIVED.value,
            to_status=ReportStatus.TRIAGED.value,
            changed_at=now,
            changed_by=TRIAGE_ACTOR,
        )
    )
    db.session.commit()
    log.info("triage: report %s triaged", report_id)
    return True
