"""The outbox's publisher: a filing is one transaction, the broker is fed from a thread, what was
sent is marked in batches, and a process that ends sends what it handed over first."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event, func, select, update

from intake.extensions import db
from intake.outbox.models import OutboxJob
from intake.outbox.publisher import ReadyJob, publisher
from intake.outbox.services import relay_pending, task_id_for
from intake.types import utcnow
from tests.conftest import build_app, worker_env
from tests.factories import report_payload
from tests.processes import PROJECT_ROOT, wait_for


def _statements_by_thread(app: Flask) -> tuple[list[tuple[int, str]], Any]:
    seen: list[tuple[int, str]] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append((threading.get_ident(), statement.split(None, 1)[0].upper()))

    def record_commit(conn: Any) -> None:
        seen.append((threading.get_ident(), "COMMIT"))

    event.listen(db.engine, "before_cursor_execute", record)
    event.listen(db.engine, "commit", record_commit)
    return seen, lambda: (
        event.remove(db.engine, "before_cursor_execute", record),
        event.remove(db.engine, "commit", record_commit),
    )


def test_a_filing_is_one_transaction_and_the_request_never_waits_for_the_broker(
    app: Flask, backend: str
) -> None:
    """The report, its rows and its job commit together; the request neither reads the job back nor
    marks it: the publisher's thread does, on its own connection (the issue's two transactions)."""
    client = app.test_client()
    client.post("/api/v1/reports", json=report_payload())  # warm: the blind-index key check, caches
    assert publisher(app).wait_idle()
    seen, stop = _statements_by_thread(app)
    try:
        created = client.post("/api/v1/reports", json=report_payload())
        assert created.status_code == 201
        request_thread = threading.get_ident()
        in_request = [kind for thread, kind in seen if thread == request_thread]
        assert publisher(app).wait_idle()
    finally:
        stop()
    assert in_request.count("COMMIT") == 1, in_request
    assert "SELECT" not in in_request and "UPDATE" not in in_request, in_request
    # the identifiers (two) are one INSERT; report, history, count, job: one each
    assert in_request.count("INSERT") == 5, in_request
    elsewhere = [kind for thread, kind in seen if thread != request_thread]
    assert elsewhere.count("UPDATE") == 1  # marked published by the publisher
    assert db.session.scalar(select(func.count()).where(OutboxJob.published_at.is_(None))) == 0


def test_jobs_sent_together_are_marked_by_one_update(app: Flask) -> None:
    client = app.test_client()
    client.post("/api/v1/reports", json=report_payload())
    assert publisher(app).wait_idle()
    seen, stop = _statements_by_thread(app)
    try:
        request_thread = threading.get_ident()
        for _ in range(20):
            assert client.post("/api/v1/reports", json=report_payload()).status_code == 201
        assert publisher(app).wait_idle()
    finally:
        stop()
    updates = [kind for thread, kind in seen if thread != request_thread and kind == "UPDATE"]
    assert 1 <= len(updates) < 20  # sent as they come, marked together
    assert db.session.scalar(select(func.count()).where(OutboxJob.published_at.is_(None))) == 0
    assert relay_pending(grace=0) == 0  # nothing left for beat


def test_a_command_sends_what_it_queued_before_its_process_ends(tmp_path: Path) -> None:
    """`flask jobs retry` commits and hands the job to the publisher's thread: the process waits
    for it as it exits, so the job is on the broker when the command returns."""
    var = tmp_path / "var"
    app = build_app(var)
    with app.app_context():
        upgrade()
        job = OutboxJob(task="triage.triage_report", args=[1], subject="triage:1", dead_at=utcnow())
        db.session.add(job)
        db.session.commit()
        job_id = job.id
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "intake", "jobs", "retry", str(job_id)],
            cwd=PROJECT_ROOT,
            env={**worker_env(var), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        db.session.expire_all()
        retried = db.session.get(OutboxJob, job_id)
        assert retried is not None and retried.dead_at is None and retried.published_at is not None
        assert any((var / "broker" / "queue").iterdir())  # the message itself, on the embedded broker
        db.engine.dispose()


class FlakyBroker:
    """A Celery stand-in that takes messages until `fail_after` of them, then refuses."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.fail_after = fail_after
        self.sent: list[str] = []

    @contextmanager
    def producer_or_acquire(self) -> Iterator[object]:
        yield object()

    def send_task(self, name: str, args: list[Any], task_id: str, producer: object = None) -> None:
        if self.fail_after is not None and len(self.sent) >= self.fail_after:
            raise ConnectionError("broker gone")
        self.sent.append(task_id)


def _jobs(count: int) -> list[ReadyJob]:
    made = []
    for number in range(count):
        job = OutboxJob(task="triage.triage_report", args=[number], subject=f"triage:{number}")
        db.session.add(job)
        db.session.flush()
        made.append(ReadyJob(job.id, job.task, job.args, task_id_for(job.id)))
    db.session.commit()
    return made


def _unpublished() -> int:
    db.session.expire_all()
    return int(db.session.scalar(select(func.count()).where(OutboxJob.published_at.is_(None))) or 0)


def test_what_the_broker_refused_is_left_to_beat_and_the_rest_is_marked(
    app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    broker = FlakyBroker(fail_after=3)
    monkeypatch.setitem(app.extensions, "celery", broker)
    jobs = _jobs(5)
    publisher(app).hand_over(jobs)
    assert publisher(app).wait_idle()
    assert broker.sent == [job.task_id for job in jobs[:3]]
    assert _unpublished() == 2 and "could not publish 2 job(s)" in caplog.text
    broker.fail_after = None
    publisher(app).hand_over(jobs[3:])  # the thread is still there for the next ones
    assert publisher(app).wait_idle() and _unpublished() == 0


def test_the_thread_ends_when_idle_and_starts_again(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    broker = FlakyBroker()
    monkeypatch.setitem(app.extensions, "celery", broker)
    first, second = _jobs(2)
    publisher(app).hand_over([first])
    assert publisher(app).wait_idle()
    wait_for(lambda: not any(t.name == "outbox-publisher" for t in threading.enumerate()), 5, what="idle end")
    publisher(app).hand_over([second])
    assert publisher(app).wait_idle() and broker.sent == [first.task_id, second.task_id]
    assert _unpublished() == 0


def test_a_forked_child_starts_with_nothing_of_its_parents(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """gunicorn and Celery fork after the app is made: the child's publisher has no thread, no
    pending job and a lock of its own, even if the parent's was held at the fork."""
    monkeypatch.setitem(app.extensions, "celery", FlakyBroker())
    item = publisher(app)
    with item._changed:  # held by the parent during the fork
        item._pending.append(ReadyJob(1, "triage.triage_report", [1], "outbox-1"))
        child = os.fork()
        if child == 0:
            clean = not item._pending and not item._running and item._changed.acquire(timeout=1)
            os._exit(0 if clean else 1)
    _, status = os.waitpid(child, 0)
    item._pending.clear()
    assert os.waitstatus_to_exitcode(status) == 0


def test_beat_leaves_a_new_job_to_the_publisher_for_the_grace_period(app: Flask) -> None:
    fresh, old = _jobs(2)
    delayed = OutboxJob(
        task="triage.triage_report",
        args=[9],
        subject="triage:9",
        available_at=utcnow() - timedelta(seconds=1),
    )
    db.session.add(delayed)
    db.session.execute(
        update(OutboxJob).where(OutboxJob.id == old.id).values(created_at=utcnow() - timedelta(minutes=5))
    )
    db.session.commit()
    assert app.config["OUTBOX_RELAY_GRACE"] == 30
    assert relay_pending() == 2  # the old one and the delayed one that is due; not the fresh one
    published = set(db.session.scalars(select(OutboxJob.id).where(OutboxJob.published_at.is_not(None))))
    assert published == {old.id, delayed.id} and fresh.id not in published
