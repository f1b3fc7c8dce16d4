"""Write jobs beside the data they concern, and hand them to the broker after the commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from flask import current_app
from sqlalchemy import select

from intake.extensions import db
from intake.outbox.models import OutboxJob
from intake.types import utcnow

log = logging.getLogger(__name__)
RELAY_BATCH = 200


def enqueue(task: str, *args: Any) -> OutboxJob:
    """Add a job to the current transaction; it exists only if the transaction commits."""
    job = OutboxJob(task=task, args=list(args))
    db.session.add(job)
    return job


def relay_pending(ids: Iterable[int] | None = None, limit: int = RELAY_BATCH) -> int:
    """Publish unpublished jobs (at least once) and mark them; returns how many were published.

    A job whose publication fails stays pending for the next run (after the commit, or from beat).
    On PostgreSQL concurrent relays skip each other's rows instead of publishing them twice.
    """
    celery = current_app.extensions["celery"]
    query = select(OutboxJob).where(OutboxJob.published_at.is_(None)).order_by(OutboxJob.id).limit(limit)
    if ids is not None:
        query = query.where(OutboxJob.id.in_(list(ids)))
    jobs = db.session.scalars(query.with_for_update(skip_locked=True)).all()
    published = 0
    for job in jobs:
        job.attempts += 1
        try:
            celery.send_task(job.task, args=job.args)
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
