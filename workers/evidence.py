"""Evidence tasks: take ids, call `intake.triage.evidence_checks`."""

from celery import shared_task

from intake.triage import evidence_checks
from workers.app import DATABASE_RETRY


@shared_task(name="evidence.check_evidence", **DATABASE_RETRY)
def check_evidence(evidence_id: int) -> None:
    evidence_checks.check_evidence(evidence_id)
