"""Triage a report exactly once in effect, and make sure every accepted report gets triaged.

`triage_report` claims the report with a conditional UPDATE (`WHERE status = 'received'`) before it
does anything else, in the same transaction as everything it writes: a second delivery of the job,
even a concurrent one, finds nothing to claim and changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, CursorResult, String, cast, exists, literal, or_, select, update

from intake.extensions import db
from intake.outbox.models import OutboxJob
from intake.outbox.services import enqueue, relay_after_commit, relay_pending
from intake.reports.models import (
    PRIORITY_RANK,
    EvidenceCheck,
    EvidenceFile,
    Report,
    ReportStatus,
    StatusChange,
)
from intake.triage.linking import link_report, probable_duplicate_of
from intake.triage.models import TriageDecision
from intake.triage.rules import RULES_VERSION, ReportFacts, decide
from intake.types import utcnow

log = logging.getLogger(__name__)
TRIAGE_ACTOR = "triage"
TRIAGE_TASK = "triage.triage_report"
EVIDENCE_TASK = "evidence.check_evidence"
RECONCILE_BATCH = 500


# Outbox subjects: what a job is about, so the reconciler can find a report's or a file's jobs.
TRIAGE_SUBJECT = "triage:"
EVIDENCE_SUBJECT = "evidence:"


def triage_subject(report_id: int) -> str:
    return f"{TRIAGE_SUBJECT}{report_id}"


def queue_evidence_check(evidence_id: int) -> OutboxJob:
    return enqueue(EVIDENCE_TASK, evidence_id, subject=f"{EVIDENCE_SUBJECT}{evidence_id}")


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
        .values(
            priority=decision.priority.value,
            priority_rank=PRIORITY_RANK[decision.priority],
            duplicate_of_id=probable_duplicate_of(report),
        )
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


def _no_live_job(subject: ColumnElement[str], cutoff: datetime) -> ColumnElement[bool]:
    """No job for `subject` that is pending, dead (left for an admin's retry) or published since
    `cutoff`; in SQL, so that reports skipped for those reasons never fill a batch."""
    live = select(OutboxJob.id).where(
        OutboxJob.subject == subject,
        or_(
            OutboxJob.published_at.is_(None),
            OutboxJob.dead_at.is_not(None),
            OutboxJob.published_at >= cutoff,
        ),
    )
    return ~exists(live)


def requeue_stuck_reports(older_than: timedelta, limit: int = RECONCILE_BATCH) -> int:
    """Queue triage again for reports still `received` long after their last job was published, and
    evidence checks still pending likewise.

    The safety net under the broker: a flushed Redis, a message lost with a killed worker, a dead
    letter that could not be recorded. A job still waiting in a long backlog may get a companion,
    which the claim turns into a no-op: keep TRIAGE_RECONCILE_AFTER above the longest backlog."""
    cutoff = utcnow() - older_than
    reports = db.session.scalars(
        select(Report.id)
        .where(
            Report.status == ReportStatus.RECEIVED.value,
            Report.priority.is_(None),  # always NULL before triage: lets the queue index serve this
            Report.created_at < cutoff,
            _no_live_job(literal(TRIAGE_SUBJECT) + cast(Report.id, String), cutoff),
        )
        .order_by(Report.created_at)
        .limit(limit)
    ).all()
    files = db.session.scalars(
        select(EvidenceFile.id)
        .join(Report, Report.id == EvidenceFile.report_id)
        .where(
            EvidenceFile.check_status == EvidenceCheck.PENDING.value,
            EvidenceFile.created_at < cutoff,
            Report.status != ReportStatus.RECEIVED.value,  # triage queues them; not before
            _no_live_job(literal(EVIDENCE_SUBJECT) + cast(EvidenceFile.id, String), cutoff),
        )
        .order_by(EvidenceFile.created_at)
        .limit(limit)
    ).all()
    for report_id in reports:
        queue_triage(report_id)
    for evidence_id in files:
        queue_evidence_check(evidence_id)
    db.session.commit()
    requeued = len(reports) + len(files)
    if requeued:
        log.warning("reconciler: %s report(s) and %s file(s) queued again", len(reports), len(files))
        relay_pending()
    return requeued
