"""Every kind of background job, and every consequence of a case event, in one place.

`JOB_KINDS`: the outbox names a job's task and subject from it, the worker makes one Celery task per
entry (workers/jobs.py), and the reconciler and the dead letters cover every kind through it: a new
kind of job is one entry here. `CASE_EVENT_HANDLERS`: what follows a change of a case (the
`case_event` job runs them); a new consequence is one entry here.
"""

from __future__ import annotations

from intake.notifications import services as notifications
from intake.outbox.kinds import JobKind
from intake.privacy import erasure
from intake.reports import events
from intake.reports.events import CaseEventHandler
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
    JobKind(
        "case_event", task="cases.dispatch_event", run=events.dispatch_event, waiting=events.events_waiting
    ),
    JobKind(
        "notification",
        task="notifications.deliver",
        run=notifications.deliver,
        waiting=notifications.notifications_waiting,
    ),
    JobKind(
        "file_deletion",
        task="privacy.delete_file",
        run=erasure.delete_discarded_file,
        waiting=erasure.files_to_delete,
    ),
)

CASE_EVENT_HANDLERS: tuple[CaseEventHandler, ...] = (
    CaseEventHandler("notify the reporter", wants=notifications.wants, handle=notifications.plan),
)
