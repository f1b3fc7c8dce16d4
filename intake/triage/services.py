"""Triage a report exactly once in effect, and make sure every accepted report gets triaged.

`triage_report` claims the report before it does anything else: it moves it from `received` to
`triaged` through the status owner (intake.reports.status, a conditional UPDATE), in the same
transaction as everything it writes. A second delivery of the job, even a concurrent one, finds
nothing to claim and changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, select, update

from intake.clock import local_date
from intake.extensions import db
from intake.outbox.services import QueuedJob, enqueue
from intake.reports.models import (
    PRIORITY_RANK,
    Report,
    ReportStatus,
)
from intake.reports.status import Actor, StatusConflict, StatusRefused, move
from intake.triage.linking import link_report, probable_duplicate_of
from intake.triage.models import TriageDecision
from intake.triage.rules import RULES_VERSION, ReportFacts, decide
from intake.types import utcnow

log = logging.getLogger(__name__)


def queue_evidence_check(evidence_id: int) -> QueuedJob:
    return enqueue("evidence", evidence_id)


def queue_triage(report_id: int) -> QueuedJob:
    """Add the report's triage job to the current transaction."""
    return enqueue("triage", report_id)


def _claim(report_id: int) -> Report | None:
    """Move the report from `received` to `triaged` before anything else: the status owner's
    conditional UPDATE lets one delivery of the job through, and the others find nothing."""
    report = db.session.get(Report, report_id)
    if report is None or report.status != ReportStatus.RECEIVED.value:
        return None
    try:
        move(report, ReportStatus.TRIAGED.value, Actor.triage())
    except StatusConflict:  # a second delivery
        return None
    except StatusRefused as refused:
        if refused.code != "erased":
            raise
        return None  # erased before its triage: nothing to triage
    return report


def triage_report(report_id: int) -> bool:
    """Link, prioritise and record; False when the report was already triaged (a redelivery)."""
    report = _claim(report_id)
    if report is None:
        db.session.rollback()
        return False
    now = utcnow()
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
        filed_on=local_date(report.created_at),
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
    db.session.add(
        TriageDecision(
            report_id=report.id,
            decided_at=now,
            priority=decision.priority.value,
            reasons=list(decision.reasons),
            rules_version=RULES_VERSION,
        )
    )
    for item in report.evidence:
        queue_evidence_check(item.id)
    db.session.flush()
    log.info("triage: report %s is %s (%s)", report_id, decision.priority.value, ", ".join(decision.reasons))
    return True


def reports_waiting(cutoff: datetime) -> Select[int]:
    """Reports still `received` since before `cutoff` (the reconciler queues their triage again)."""
    return (
        select(Report.id)
        .where(
            Report.status == ReportStatus.RECEIVED.value,
            Report.erased_at.is_(None),
            Report.priority.is_(None),  # always NULL before triage: lets the queue index serve this
            Report.created_at < cutoff,
        )
        .order_by(Report.created_at)
    )
