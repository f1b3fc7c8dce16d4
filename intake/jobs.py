"""Every kind of background job, in one table. The outbox names a job's task and subject from it, the
worker makes one Celery task per entry (workers/jobs.py), and the reconciler and the dead letters
cover every kind through it: adding a kind of job is one entry here."""

from __future__ import annotations

from intake.outbox.kinds import JobKind
from intake.triage import evidence_checks, services

JOB_KINDS: tuple[JobKind, ...] = (
    JobKind(
        "triage", task="triage.triage_report", run=services.triage_report, waiting=services.reports_waiting
    ),
    JobKind(
        "evidence",
        task="evidence.check_evidence",
        run=evidence_checks.check_evidence,
        waiting=evidence_checks.files_waiting,
    ),
)
