"""Triage a report exactly once in effect, and make sure every accepted report gets triaged.

`triage_report` claims the report with a conditional UPDATE (`WHERE status = 'received'`) before it
does anything else, in the same transaction as everything it writes: a second delivery of the job,
even a concurrent one, finds nothing to claim and changes nothing.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import CursorResult, select, update

from intake.extensions import db
from intake.outbox.services import enqueue, has_live_job, relay_after_commit, relay_pending
from intake.reports.models import Report, ReportStatus, StatusChange
from intake.triage.linking import link_report, probable_duplicate_of
from intake.triage.models import TriageDecision
from intake.triage.rules import RULES_VERSION, ReportFacts, decide
from intake.types import utcnow

log = logging.getLogger(__name__)
TRIAGE_ACTOR = "triage"
TRIAGE_TASK = "triage.triage_report"
EVIDENCE_TASK = "evidence.check_evidence"
RECONCILE_BATCH = 500


def triage_subject(report_id: int) -> str:
    return f"triage:{report_id}"


def queue_triage(report_id: int) -> int:
    """Add the report's triage job to the current transaction; returns the outbox job's id."""
    job = enqueue(TRIAGE_TASK, report_id, subject=triage_subject(report_id))
    db.session.flush()
    return job.id


def _claim(report_id: int) -> bool:
    now = utcnow()
    result: CursorResult[tuple[()]] = db.session.execute(  # type: ignore[assignment]
        update(Report)
        .where(Report.id == report_id, Report.status == ReportStatus.RECEIVED.value)
        .values(status=ReportStatus.TRIAGED.value, updated_at=now, version=Report.version + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def triage_report(report_id: int) -> bool:
    """Link, prioritise and record; False when the report was already triaged (a redelivery)."""
    if not _claim(report_id):
        db.session.rollback()
        return False
    now = utcnow()
    report = db.session.scalar(
        select(Report).where(Report.id == report_id).execution_options(populate_existing=True)
    )
    if report is None:  # pragma: no cover - the claim just found it
        db.session.rollback()
        return False
    config = current_app.config
    links = link_report(
        report.id,
        report.created_at,
        [(s.kind, s.normalised) for s in report.suspects],
        campaign_threshold=config["CAMPAIGN_THRESHOLD"],
        campaign_window=timedelta(days=config["CAMPAIGN_WINDOW_DAYS"]),
        now=now,
    )
    facts = ReportFacts(
        category=report.category,
        description=report.description,
        incident_date=report.incident_date,
        filed_on=report.created_at.date(),
        loss_amount=report.loss_amount,
        loss_currency=report.loss_currency,
        seen_in_other_reports=links.seen_in_other_reports,
        in_campaign=bool(links.campaign_group_ids),
    )
    decision = decide(facts)
    db.session.execute(
        update(Report)
        .where(Report.id == report.id)
        .values(priority=decision.priority.value, duplicate_of_id=probable_duplicate_of(report))
        .execution_options(synchronize_session=False)
    )
    db.session.add_all(
        [
            StatusChange(
                report_id=report.id,
                from_status=ReportStatus.RECEIVED.value,
                to_status=ReportStatus.TRIAGED.value,
                changed_at=now,
                changed_by=TRIAGE_ACTOR,
            ),
            TriageDecision(
                report_id=report.id,
                decided_at=now,
                priority=decision.priority.value,
                reasons=list(decision.reasons),
                rules_version=RULES_VERSION,
            ),
        ]
    )
    evidence_jobs = [
        enqueue(EVIDENCE_TASK, item.id, subject=f"evidence:{item.id}") for item in report.evidence
    ]
    db.session.flush()
    job_ids = [job.id for job in evidence_jobs]
    db.session.commit()
    log.info("triage: report %s is %s (%s)", report_id, decision.priority.value, ", ".join(decision.reasons))
    if job_ids:
        relay_after_commit(job_ids)
    return True


def requeue_stuck_reports(older_than: timedelta, limit: int = RECONCILE_BATCH) -> int:
    """Queue triage again for reports still `received` long after their last job was published.

    The safety net under the broker: a flushed Redis, a message lost with a dead worker. A report
    whose job is pending, recent, or dead (waiting for an admin's retry) is left alone."""
    cutoff = utcnow() - older_than
    stuck = db.session.scalars(
        select(Report.id)
        .where(
            Report.status == ReportStatus.RECEIVED.value,
            Report.priority.is_(None),  # always NULL before triage: lets the queue index serve this
            Report.created_at < cutoff,
        )
        .order_by(Report.created_at)
        .limit(limit)
    ).all()
    requeued = 0
    for report_id in stuck:
        if not has_live_job(triage_subject(report_id), published_since=cutoff):
            queue_triage(report_id)
            requeued += 1
    db.session.commit()
    if requeued:
        log.warning("reconciler: %s report(s) still received, triage queued again", requeued)
        relay_pending()
    return requeued
