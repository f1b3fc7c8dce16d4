"""No report is ever lost: faults injected into a real stack (PostgreSQL, a Redis of the test's own,
real worker processes with beat). The invariant in every test: accepted = stored = triaged, once.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from intake.extensions import db
from intake.outbox.kinds import job_kind
from intake.outbox.models import OutboxJob
from intake.outbox.publisher import publisher
from intake.reports.evidence import LocalEvidenceStore
from intake.reports.forms import ReportForm
from intake.reports.json_body import json_to_formdata
from intake.reports.models import Report, StatusChange
from intake.reports.services import file_report
from intake.triage.models import TriageDecision
from tests.conftest import (
    TEST_BLIND_INDEX_KEY,
    TEST_CONTROLLER,
    TEST_DATA_KEYS,
    TEST_SECRET,
    build_app,
    empty_tables,
    release_database,
)
from tests.factories import report_payload
from tests.processes import RedisServer, celery_worker, kill, log_tail, start_worker, wait_for
from tests.services import unavailable

pytestmark = [pytest.mark.worker, pytest.mark.postgres]


@dataclass
class Stack:
    app: Flask
    env: dict[str, str]
    redis: RedisServer
    log: Path


@pytest.fixture
def stack(tmp_path: Path, postgres_url: str) -> Iterator[Stack]:
    if shutil.which("redis-server") is None:
        unavailable("redis-server (to run a Redis of the test's own)", FileNotFoundError("redis-server"))
    redis = RedisServer(tmp_path / "redis")
    redis.start()
    env = {
        "VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": TEST_SECRET,
        "DATA_KEYS": TEST_DATA_KEYS,
        "BLIND_INDEX_KEY": TEST_BLIND_INDEX_KEY,
        **TEST_CONTROLLER,
        "DATABASE_URL": postgres_url,
        "REDIS_URL": redis.url,
        "CELERY_QUEUE": f"blagh-faults-{uuid.uuid4().hex[:8]}",
        "OUTBOX_RELAY_INTERVAL": "1",
        "OUTBOX_RELAY_GRACE": "2",
        "RECONCILE_AFTER": "3",
        "RECONCILE_INTERVAL": "1",
        # An hour, as in production: recovery must come from the reconciler, not from redelivery.
        "BROKER_VISIBILITY_TIMEOUT": "3600",
    }
    config = {key: value for key, value in env.items() if key not in {"VAR_DIR", "DATABASE_URL"}}
    app = build_app(Path(env["VAR_DIR"]), postgres_url, **config)
    with app.app_context():
        upgrade()
        empty_tables()
        yield Stack(app, env, redis, tmp_path / "worker.log")
        db.session.remove()
        empty_tables()
        release_database()
    redis.stop()


def file_directly(app: Flask, count: int, tmp_path: Path) -> list[int]:
    """File reports through the service (the web request's code path without HTTP), fast."""
    formdata, _ = json_to_formdata(report_payload())
    ids = []
    with app.test_request_context():
        form = ReportForm(formdata=formdata, meta={"csrf": False})
        assert form.validate(), form.errors
        store = LocalEvidenceStore(tmp_path / "evidence")
        for _ in range(count):
            ids.append(file_report(form.submission(), language="fr", channel="api", store=store).report_id)
    assert publisher(app).wait_idle(), "the publisher did not hand the jobs over"
    return ids


def counts() -> tuple[int, int, int, int]:
    """(stored, triaged, triage decisions, 'triaged' history steps), read fresh."""
    db.session.rollback()
    stored = db.session.scalar(select(func.count(Report.id))) or 0
    triaged = db.session.scalar(select(func.count(Report.id)).where(Report.status == "triaged")) or 0
    decisions = db.session.scalar(select(func.count(TriageDecision.id))) or 0
    steps = (
        db.session.scalar(select(func.count(StatusChange.id)).where(StatusChange.to_status == "triaged")) or 0
    )
    db.session.rollback()
    return stored, triaged, decisions, steps


def all_triaged_once(accepted: int, stack: Stack, timeout: float = 120) -> None:
    wait_for(
        lambda: counts()[1] == accepted,
        timeout,
        what=f"{accepted} triaged, got {counts()}\n{log_tail(stack.log)}",
    )
    assert counts() == (accepted, accepted, accepted, accepted)


def test_broker_down_during_submission(stack: Stack, tmp_path: Path) -> None:
    """Redis is stopped while citizens submit: every report is accepted, and triaged once it returns."""
    with celery_worker(stack.env, stack.log, beat=True):
        stack.redis.stop()
        client = stack.app.test_client()
        answers = [client.post("/api/v1/reports", json=report_payload()).status_code for _ in range(8)]
        assert answers == [201] * 8
        assert counts()[:2] == (8, 0)
        stack.redis.start()
        all_triaged_once(8, stack)


def test_worker_killed_mid_task(stack: Stack, tmp_path: Path) -> None:
    """SIGKILL while a burst is being triaged: after a restart everything is triaged, nothing twice."""
    accepted = len(file_directly(stack.app, 300, tmp_path))
    worker = start_worker(stack.env, stack.log, beat=True)
    try:
        wait_for(lambda: counts()[1] >= 10, 60, what=f"the first reports triaged\n{log_tail(stack.log)}")
        redis = stack.redis.client()
        wait_for(lambda: redis.hlen("unacked") >= 1, 10, interval=0.001, what="a task in the worker's hands")
        kill(worker)
        assert counts()[1] < accepted, "the worker finished before it could be killed: file more reports"
        # the message it was working on was taken and never acknowledged: only the reconciler
        # (the visibility timeout is an hour) can bring that report back
        assert redis.hlen("unacked") >= 1
    finally:
        kill(worker)
    with celery_worker(stack.env, stack.log, beat=True):
        all_triaged_once(accepted, stack)


def test_redis_flushed_with_jobs_in_it(stack: Stack, tmp_path: Path) -> None:
    """Every queued message vanishes; the reconciler re-queues the reports still received."""
    accepted = len(file_directly(stack.app, 20, tmp_path))
    assert db.session.scalar(select(func.count(OutboxJob.id)).where(OutboxJob.published_at.is_(None))) == 0
    stack.redis.flush()  # every job was in Redis, and now none is
    with celery_worker(stack.env, stack.log, beat=True):
        all_triaged_once(accepted, stack)
    # the reconciler (not redelivery: the visibility timeout is an hour) brought every one back,
    # perhaps over several runs as the reports passed RECONCILE_AFTER one after the other
    requeued = re.findall(r"reconciler: queued again[^\n]*?\b(\d+) triage\b", stack.log.read_text())
    assert sum(int(count) for count in requeued) >= accepted


def test_the_same_job_delivered_twice_has_one_effect(stack: Stack, tmp_path: Path) -> None:
    """The relay's delivery plus three more of the same job, to two worker processes at once."""
    celery = stack.app.extensions["celery"]
    [report_id] = file_directly(stack.app, 1, tmp_path)
    for _ in range(3):
        celery.send_task(job_kind("triage").task, args=[report_id])

    def runs_finished() -> bool:
        lines = stack.log.read_text(errors="replace").splitlines()
        return sum(1 for line in lines if job_kind("triage").task in line and "succeeded" in line) >= 4

    with celery_worker(stack.env, stack.log, concurrency=2):
        wait_for(runs_finished, 60, what=f"four deliveries run\n{log_tail(stack.log)}")
    assert counts() == (1, 1, 1, 1)


def test_a_burst_of_a_thousand_reports(stack: Stack, tmp_path: Path) -> None:
    """1,000 reports filed at once reach triaged, each exactly once, with two worker processes."""
    accepted = len(file_directly(stack.app, 1000, tmp_path))
    with celery_worker(stack.env, stack.log, beat=True, concurrency=2):
        all_triaged_once(accepted, stack, timeout=300)
