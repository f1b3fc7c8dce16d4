"""One Celery task per kind of job in `intake.jobs.JOB_KINDS`: each takes the subject's id, runs the
kind's service and commits the unit of work (which publishes the jobs it queued)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from intake.outbox.kinds import JobKind, job_kind, job_kinds
from intake.unit_of_work import commit
from workers.app import RETRY_POLICIES


def _task_for(kind: JobKind) -> Any:
    name = kind.name

    def run_job(subject_id: int) -> None:
        job_kind(name).run(subject_id)
        commit()

    run_job.__name__ = run_job.__qualname__ = f"run_{kind.name}_job"
    return shared_task(name=kind.task, **RETRY_POLICIES[kind.retry])(run_job)


TASKS = {kind.name: _task_for(kind) for kind in job_kinds().values()}
