"""Write jobs beside the data they concern, hand them to the publisher after the commit, keep the ones
that kept failing visible (dead letters) until someone retries them, and queue again whatever work
was left undone (the reconciler)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    cast,
    event,
    exists,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session, SessionTransaction

from intake.extensions import db
from intake.outbox.kinds import JobKind, job_kind, job_kinds
from intake.outbox.models import OutboxJob
from intake.outbox.publisher import ReadyJob, mark_published, publisher, send_jobs
from intake.types import table_of, utcnow

log = logging.getLogger(__name__)
RELAY_BATCH = 200
RECONCILE_BATCH = 500
TASK_ID_PREFIX = "outbox-"
MAX_ERROR_LENGTH = 2000
_QUEUED = "outbox.queued"  # in Session.info: the jobs added in the current unit of work
_OUTBOX = table_of(OutboxJob)
_INSERT_JOB = insert(_OUTBOX).returning(_OUTBOX.c.id)


@dataclass(frozen=True)
class QueuedJob:
    """A job written in the current unit of work (the row itself is not loaded as an object)."""

    id: int
    task: str
    args: list[Any]
    subject: str | None
    available_at: datetime | None

    def ready(self) -> ReadyJob:
        return ReadyJob(self.id, self.task, self.args, task_id_for(self.id))


def enqueue(kind_name: str, subject_id: int, *, not_before: datetime | None = None) -> QueuedJob:
    """Add a job to the current transaction; it exists only if the transaction commits, and is
    published after that commit (never before `not_before`, when given)."""
    kind = job_kind(kind_name)
    subject = kind.subject(subject_id)
    values = {"task": kind.task, "args": [subject_id], "subject": subject, "available_at": not_before}
    job_id = db.session.execute(_INSERT_JOB, values).scalar_one()
    job = QueuedJob(job_id, kind.task, [subject_id], subject, not_before)
    db.session.info.setdefault(_QUEUED, []).append(job)
    return job


def take_ready_jobs() -> list[ReadyJob]:
    """The jobs written in this unit of work that are due now, forgotten once taken: the caller
    hands them to the publisher after its COMMIT. Jobs for later are left to beat's relay."""
    queued: list[QueuedJob] = db.session.info.pop(_QUEUED, [])
    now = utcnow()
    return [job.ready() for job in queued if job.available_at is None or job.available_at <= now]


def publish_after_commit(jobs: list[ReadyJob]) -> None:
    """Give the committed jobs to the publisher's thread; the request does not wait for the broker.
    Whatever happens here, the commit stands: a job the publisher could not take is beat's."""
    if not jobs:
        return
    try:
        publisher().hand_over(jobs)
    except Exception:
        log.warning("outbox: %s job(s) left to beat's relay", len(jobs), exc_info=True)


@event.listens_for(Session, "after_soft_rollback")
def _forget_jobs_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    """The jobs of a unit that rolled back are gone with it: nothing to publish."""
    session.info.pop(_QUEUED, None)


def task_id_for(job_id: int) -> str:
    """The Celery task id of a job: a failing task finds its outbox row through it."""
    return f"{TASK_ID_PREFIX}{job_id}"


def job_id_from_task_id(task_id: str | None) -> int | None:
    if not task_id or not task_id.startswith(TASK_ID_PREFIX):
        return None
    suffix = task_id[len(TASK_ID_PREFIX) :]
    return int(suffix) if suffix.isdigit() else None


def _serialise_relays() -> None:
    """On SQLite, one relay at a time: a write statement first takes the database's write lock, as
    BEGIN IMMEDIATE would (pysqlite opens the transaction on the first write). PostgreSQL relays
    run side by side and skip each other's rows (FOR UPDATE SKIP LOCKED)."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("UPDATE outbox SET attempts = attempts WHERE 0"))


def relay_pending(limit: int = RELAY_BATCH, grace: float | None = None) -> int:
    """Publish the jobs that are due and that nobody published (at least once), and mark them;
    returns how many were published. A job whose publication fails stays pending for the next run.

    Run by beat. A job due at once is the publisher's for OUTBOX_RELAY_GRACE seconds after it was
    written (`grace` overrides it); a job for later is relayed as soon as it is due. The relay is a
    unit of work of its own, so it commits: a job is marked published only once the broker took it.
    """
    celery = current_app.extensions["celery"]
    now = utcnow()
    settled = now - timedelta(seconds=current_app.config["OUTBOX_RELAY_GRACE"] if grace is None else grace)
    _serialise_relays()
    jobs = db.session.scalars(
        select(OutboxJob)
        .where(
            OutboxJob.published_at.is_(None),
            OutboxJob.dead_at.is_(None),
            or_(
                and_(OutboxJob.available_at.is_(None), OutboxJob.created_at <= settled),
                OutboxJob.available_at <= now,
            ),
        )
        .order_by(OutboxJob.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    sent = send_jobs(celery, [ReadyJob(job.id, job.task, job.args, task_id_for(job.id)) for job in jobs])
    if sent:
        db.session.execute(mark_published(sent))
    db.session.commit()
    return len(sent)


def mark_dead(task_id: str | None, error: BaseException) -> int | None:
    """Record that a job's task failed for good. Returns the job's id, None for a task not from here.

    Called when the task's own unit of work has failed: it rolls that back and commits this record
    on its own, so the dead letter is kept whatever the task left behind."""
    job_id = job_id_from_task_id(task_id)
    if job_id is None:
        return None
    message = f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]
    db.session.rollback()
    db.session.execute(
        update(OutboxJob).where(OutboxJob.id == job_id).values(dead_at=utcnow(), last_error=message)
    )
    db.session.commit()
    log.error("outbox: job %s is dead after its retries: %s", job_id, message)
    return job_id


@dataclass(frozen=True)
class DeadJob:
    id: int
    task: str
    args: list[Any]
    subject: str | None
    attempts: int
    dead_at: datetime
    last_error: str | None


def dead_jobs(limit: int = 100, after_id: int = 0) -> list[DeadJob]:
    """Dead letters, oldest first, a page at a time (keyset on the id)."""
    rows = db.session.scalars(
        select(OutboxJob)
        .where(OutboxJob.dead_at.is_not(None), OutboxJob.id > after_id)
        .order_by(OutboxJob.id)
        .limit(limit)
    )
    return [
        DeadJob(j.id, j.task, j.args, j.subject, j.attempts, j.dead_at, j.last_error)
        for j in rows
        if j.dead_at is not None
    ]


def retry_dead(job_ids: Iterable[int] | None = None) -> int:
    """Put dead jobs back in the queue (all of them when no ids are given); returns how many. They
    are published when the caller commits."""
    query = select(OutboxJob).where(OutboxJob.dead_at.is_not(None))
    if job_ids is not None:
        query = query.where(OutboxJob.id.in_(list(job_ids)))
    jobs = db.session.scalars(query.with_for_update()).all()
    for job in jobs:
        job.dead_at = None
        job.published_at = None
        job.available_at = None
        job.created_at = utcnow()  # the publisher's again, for OUTBOX_RELAY_GRACE
    db.session.info.setdefault(_QUEUED, []).extend(
        QueuedJob(job.id, job.task, job.args, job.subject, None) for job in jobs
    )
    return len(jobs)


def _no_live_job(kind: JobKind, subject_id: ColumnElement[Any], cutoff: datetime) -> ColumnElement[bool]:
    """No job for the subject that is pending, dead (left for an admin's retry) or published since
    `cutoff`; in SQL, so that subjects skipped for those reasons never fill a batch."""
    subject = literal(f"{kind.name}:") + cast(subject_id, String)
    live = select(OutboxJob.id).where(
        OutboxJob.subject == subject,
        or_(
            OutboxJob.published_at.is_(None),
            OutboxJob.dead_at.is_not(None),
            OutboxJob.published_at >= cutoff,
        ),
    )
    return ~exists(live)


def requeue_waiting_work(older_than: timedelta, limit: int = RECONCILE_BATCH) -> dict[str, int]:
    """Queue a job again for every subject whose work is still undone long after its last job was
    published, for every kind of job that says how to find such work (JobKind.waiting).

    The safety net under the broker: a flushed Redis, a message lost with a killed worker, a dead
    letter that could not be recorded. A job still waiting in a long backlog may get a companion,
    which each task's own state check turns into a no-op: keep RECONCILE_AFTER above the longest
    backlog. Returns the count per kind; the jobs are published when the caller commits.
    """
    cutoff = utcnow() - older_than
    requeued: dict[str, int] = {}
    for kind in job_kinds().values():
        if kind.waiting is None:
            continue
        query = kind.waiting(cutoff)
        subject_id = query.selected_columns[0]
        found = db.session.scalars(query.where(_no_live_job(kind, subject_id, cutoff)).limit(limit)).all()
        for item in found:
            enqueue(kind.name, item)
        if found:
            requeued[kind.name] = len(found)
    if requeued:
        log.warning("reconciler: queued again %s", ", ".join(f"{n} {k}" for k, n in requeued.items()))
    return requeued
