"""Write jobs beside the data they concern, hand them to the broker after the commit, and keep the
ones that kept failing visible (dead letters) until someone retries them."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select, text, update

from intake.extensions import db
from intake.outbox.models import OutboxJob
from intake.types import utcnow

log = logging.getLogger(__name__)
RELAY_BATCH = 200
TASK_ID_PREFIX = "outbox-"
MAX_ERROR_LENGTH = 2000


def enqueue(task: str, *args: Any, subject: str | None = None) -> OutboxJob:
    """Add a job to the current transaction; it exists only if the transaction commits."""
    job = OutboxJob(task=task, args=list(args), subject=subject)
    db.session.add(job)
    return job


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
    """Publish unpublished jobs (at least once) and mark them; returns how many were published.

    A job whose publication fails stays pending for the next run (after the commit, or from beat).
    """
    celery = current_app.extensions["celery"]
    _serialise_relays()
    query = (
        select(OutboxJob)
        .where(OutboxJob.published_at.is_(None), OutboxJob.dead_at.is_(None))
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
    """Best effort right after a request's commit; beat's relay catches whatever this misses."""
    try:
        relay_pending(job_ids)
    except Exception:
        db.session.rollback()
        log.warning("outbox: relay after commit failed; beat will publish", exc_info=True)


def mark_dead(task_id: str | None, error: BaseException) -> int | None:
    """Record that a job's task failed for good. Returns the job's id, None for a task not from here."""
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
    """Put dead jobs back in the queue (all of them when no ids are given); returns how many."""
    query = update(OutboxJob).where(OutboxJob.dead_at.is_not(None))
    if job_ids is not None:
        query = query.where(OutboxJob.id.in_(list(job_ids)))
    result = db.session.execute(
        query.values(dead_at=None, published_at=None).execution_options(synchronize_session=False)
    )
    db.session.commit()
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        relay_pending()
    return count
