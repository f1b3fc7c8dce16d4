"""Write jobs beside the data they concern, hand them to the broker after the commit, keep the ones
that kept failing visible (dead letters) until someone retries them, and queue again whatever work
was left undone (the reconciler)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, String, cast, event, exists, literal, or_, select, text, update
from sqlalchemy.orm import Session, SessionTransaction

from intake.extensions import db
from intake.outbox.kinds import JobKind, job_kind, job_kinds
from intake.outbox.models import OutboxJob
from intake.types import utcnow

log = logging.getLogger(__name__)
RELAY_BATCH = 200
RECONCILE_BATCH = 500
TASK_ID_PREFIX = "outbox-"
MAX_ERROR_LENGTH = 2000
_QUEUED = "outbox.queued"  # in Session.info: the jobs added in the current unit of work


def enqueue(kind_name: str, subject_id: int, *, not_before: datetime | None = None) -> OutboxJob:
    """Add a job to the current transaction; it exists only if the transaction commits, and is
    published after that commit (never before `not_before`, when given)."""
    kind = job_kind(kind_name)
    job = OutboxJob(
        task=kind.task, args=[subject_id], subject=kind.subject(subject_id), available_at=not_before
    )
    db.session.add(job)
    db.session.info.setdefault(_QUEUED, []).append(job)
    return job


def take_queued_job_ids() -> list[int]:
    """The ids of the jobs added in this unit of work (flushed first), forgotten once taken."""
    queued: list[OutboxJob] = db.session.info.pop(_QUEUED, [])
    if not queued:
        return []
    db.session.flush()
    return [job.id for job in queued if job.id is not None]


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


def relay_pending(ids: Iterable[int] | None = None, limit: int = RELAY_BATCH) -> int:
    """Publish unpublished jobs that are due (at least once) and mark them; returns how many were
    published. A job whose publication fails stays pending for the next run.

    The relay is a unit of work of its own (it runs after a commit, or from beat), so it commits:
    a job is marked published only once the broker took it.
    """
    celery = current_app.extensions["celery"]
    _serialise_relays()
    query = (
        select(OutboxJob)
        .where(
            OutboxJob.published_at.is_(None),
            OutboxJob.dead_at.is_(None),
            or_(OutboxJob.available_at.is_(None), OutboxJob.available_at <= utcnow()),
        )
        .order_by(OutboxJob.id)
        .limit(limit)
    )
    if ids is not None:
        query = query.where(OutboxJob.id.in_(list(ids)))
    jobs = db.session.scalars(query.with_for_update(skip_locked=True)).all()
    published = 0
    for job in jobs:
        job.attempts += 1
        try:
            celery.send_task(job.task, args=job.args, task_id=task_id_for(job.id))
        except Exception:
            log.warning(
                "outbox: could not publish job %s (%s); it stays pending", job.id, job.task, exc_info=True
            )
            break
        job.published_at = utcnow()
        published += 1
    db.session.commit()
    return published


def relay_after_commit(job_ids: list[int]) -> None:
    """Best effort right after a unit of work's commit; beat's relay catches whatever this misses."""
    try:
        relay_pending(job_ids)
    except Exception:
        db.session.rollback()
        log.warning("outbox: relay after commit failed; beat will publish", exc_info=True)


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
    db.session.info.setdefault(_QUEUED, []).extend(jobs)
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
