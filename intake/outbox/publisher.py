"""Hand committed jobs to the broker from a thread of the process, so that a request's only
transaction is its own.

The unit of work commits its jobs with its data, then gives their ids, tasks and arguments (which
it already has: nothing is read back) to the publisher and returns. The publisher's thread sends
whatever has gathered at once, and marks what it sent as published with one UPDATE every half second
(or every BATCH jobs), on a pooled connection of its own thread.
A job it could not send, or sent but could not mark (the process died, the database blinked), stays
pending: beat's relay sends it once it is older than OUTBOX_RELAY_GRACE. A job sent twice does
nothing the second time: every task checks its subject's state first.

One thread per process, started on the first hand-over (after a fork too: gunicorn and Celery fork
after the app is made) and ended after a second with nothing to do.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Update, update

from intake.extensions import db
from intake.outbox.models import OutboxJob
from intake.types import utcnow

log = logging.getLogger(__name__)
BATCH = 200
IDLE_SECONDS = 1.0
EXIT_WAIT_SECONDS = 5.0
MARK_AFTER = 0.5  # seconds: jobs sent are marked published together, at most this late
_EXTENSION = "blagh.outbox_publisher"
_PUBLISHERS: weakref.WeakSet[Publisher] = weakref.WeakSet()


@dataclass(frozen=True)
class ReadyJob:
    """A committed job, as the unit of work that wrote it knows it."""

    id: int
    task: str
    args: list[Any]
    task_id: str


class Publisher:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._reset()
        _PUBLISHERS.add(self)

    def _reset(self) -> None:
        """A new process starts with nothing pending and no thread (a child after a fork: its
        parent's thread did not come along, and its lock may have been held)."""
        self._pending: list[ReadyJob] = []  # handed over, not sent yet
        self._unmarked: list[int] = []  # sent, not yet marked published
        self._first_unmarked_at = 0.0
        self._busy = False
        self._running = False
        self._hurry = False  # someone waits: mark at once
        self._changed = threading.Condition()

    def hand_over(self, jobs: Iterable[ReadyJob]) -> None:
        """Queue committed jobs for the thread, starting it if it is not running. If it cannot be
        started, the jobs wait here for the next hand-over, and beat sends them meanwhile."""
        with self._changed:
            self._pending.extend(jobs)
            if not self._running:
                threading.Thread(target=self._run, name="outbox-publisher", daemon=True).start()
                self._running = True
            self._changed.notify_all()

    def wait_idle(self, timeout: float = 10) -> bool:
        """Wait until everything handed over was sent and marked (or given up for beat); False
        on timeout."""
        with self._changed:
            self._hurry = True
            self._changed.notify_all()
            idle = self._changed.wait_for(
                lambda: not (self._pending or self._unmarked or self._busy), timeout
            )
            self._hurry = False
            return idle

    def _mark_due(self) -> bool:
        return bool(self._unmarked) and (
            self._hurry
            or len(self._unmarked) >= BATCH
            or time.monotonic() - self._first_unmarked_at >= MARK_AFTER
        )

    def _run(self) -> None:
        try:
            while self._step():
                pass
        except Exception:
            log.exception("outbox: the publisher stopped; beat will send what it left")
        finally:
            with self._changed:
                self._running = self._busy = False
                self._changed.notify_all()

    def _step(self) -> bool:
        """Send what is pending and, when due, mark what was sent; False once idle for a while."""
        with self._changed:
            wait = MARK_AFTER if self._unmarked else IDLE_SECONDS
            self._changed.wait_for(lambda: bool(self._pending) or self._mark_due(), wait)
            if not (self._pending or self._unmarked):
                return False
            batch, self._pending = self._pending[:BATCH], self._pending[BATCH:]
            marks, self._unmarked = (
                (self._unmarked, []) if self._mark_due() or not batch else ([], self._unmarked)
            )
            self._busy = True
        with self.app.app_context():
            sent = self._send(batch)
            not_marked = self._mark(marks)
        with self._changed:
            if (sent or not_marked) and not self._unmarked:
                self._first_unmarked_at = time.monotonic()
            self._unmarked.extend(not_marked + sent)
            self._busy = False
            self._changed.notify_all()
        return True

    def _send(self, batch: list[ReadyJob]) -> list[int]:
        return send_jobs(self.app.extensions["celery"], batch)

    def _mark(self, job_ids: list[int]) -> list[int]:
        """One UPDATE for everything sent since the last one; the ids it could not mark (kept for
        the next try)."""
        if not job_ids:
            return []
        try:
            with db.engine.begin() as connection:
                connection.execute(mark_published(job_ids))
        except Exception:
            log.warning("outbox: could not mark %s job(s) as published", len(job_ids), exc_info=True)
            return job_ids
        return []


def send_jobs(celery: Any, jobs: list[ReadyJob]) -> list[int]:
    """Publish through one producer (one broker connection for them all); the ids sent. At the
    first failure the rest is left for later (the broker is likely down). The publisher and beat's
    relay both send this way."""
    if not jobs:
        return []
    sent: list[int] = []
    try:
        with celery.producer_or_acquire() as producer:
            for job in jobs:
                celery.send_task(job.task, args=job.args, task_id=job.task_id, producer=producer)
                sent.append(job.id)
    except Exception:
        log.warning("outbox: could not publish %s job(s); beat will", len(jobs) - len(sent), exc_info=True)
    return sent


def mark_published(job_ids: list[int]) -> Update:
    """The one statement that records jobs as handed to the broker (by the publisher or beat's relay)."""
    return (
        update(OutboxJob)
        .where(OutboxJob.id.in_(job_ids), OutboxJob.published_at.is_(None))
        .values(published_at=utcnow(), attempts=OutboxJob.attempts + 1)
    )


def publisher(app: Flask | None = None) -> Publisher:
    """The app's publisher."""
    target: Flask = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found: Publisher | None = target.extensions.get(_EXTENSION)
    if found is None:
        found = target.extensions.setdefault(_EXTENSION, Publisher(target))
    return found


def _reset_after_fork() -> None:
    for item in list(_PUBLISHERS):
        item._reset()


def _finish_at_exit() -> None:
    """A process that ends (a CLI command, gunicorn's worker) sends and marks what it handed over
    first, within a few seconds; what it cannot, beat's relay sends. Celery's pool processes end
    with os._exit, which skips this: workers.main waits for them on worker_process_shutdown."""
    for item in list(_PUBLISHERS):
        item.wait_idle(EXIT_WAIT_SECONDS)


os.register_at_fork(after_in_child=_reset_after_fork)
atexit.register(_finish_at_exit)
