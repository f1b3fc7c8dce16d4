"""Every kind of job is one entry of intake.jobs.JOB_KINDS: the outbox, the worker's tasks, the
reconciler and the dead letters all read it, so a new kind needs nothing else."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import Select, select, update

from intake.extensions import db
from intake.notifications.models import Notification
from intake.outbox.kinds import JobKind, job_kinds
from intake.outbox.models import OutboxJob
from intake.outbox.services import dead_jobs, enqueue, mark_dead, requeue_waiting_work, task_id_for
from intake.reports.models import CaseEvent, Report
from intake.types import utcnow
from intake.unit_of_work import commit
from tests.conftest import AskQuestion, FileAndTriage, run_due_jobs, run_job

LONG_AGO = timedelta(hours=2)


def test_the_table_names_each_kind_once_with_its_task() -> None:
    kinds = job_kinds()
    assert set(kinds) == {"triage", "evidence", "case_event", "notification", "file_deletion"}
    assert len({kind.task for kind in kinds.values()}) == len(kinds)
    assert all(kind.waiting is not None for kind in kinds.values())  # the reconciler covers them all
    import workers.jobs

    assert {name: task.name for name, task in workers.jobs.TASKS.items()} == {
        name: kind.task for name, kind in kinds.items()
    }


def test_a_new_kind_is_one_entry(
    app: Flask, filed_and_triaged: FileAndTriage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kind added to the table is queued, run by a worker task, requeued by the reconciler and
    listed as a dead letter, without a line anywhere else."""
    import intake.jobs
    import workers.jobs

    ran: list[int] = []

    def reports_never_done(cutoff: object) -> Select[int]:
        return select(Report.id).where(Report.created_at < cutoff).order_by(Report.id)

    archive = JobKind("archive", task="archive.report", run=ran.append, waiting=reports_never_done)
    monkeypatch.setattr(intake.jobs, "JOB_KINDS", (*intake.jobs.JOB_KINDS, archive))
    report_id = db.session.scalar(
        select(Report.id).where(Report.reference == filed_and_triaged()["reference"])
    )
    assert report_id is not None

    job = enqueue("archive", report_id)
    commit()
    assert (job.task, job.subject) == ("archive.report", f"archive:{report_id}")
    workers.jobs._task_for(archive)  # what workers/jobs.py does for each entry as a worker starts
    task = app.extensions["celery"].tasks["archive.report"]
    assert task.apply(args=[report_id]).successful() and ran == [report_id]

    mark_dead(task_id_for(job.id), RuntimeError("archive server down"))
    assert [(d.subject, d.last_error) for d in dead_jobs()] == [
        (f"archive:{report_id}", "RuntimeError: archive server down")
    ]
    assert "archive" not in requeue_waiting_work(timedelta(0))  # a dead letter waits for an admin
    db.session.execute(
        update(OutboxJob).where(OutboxJob.id == job.id).values(dead_at=None, published_at=utcnow() - LONG_AGO)
    )
    db.session.execute(update(Report).values(created_at=utcnow() - LONG_AGO))
    commit()
    assert requeue_waiting_work(timedelta(minutes=10)).get("archive") == 1  # lost: queued again


def test_a_case_event_whose_job_was_lost_is_dispatched_again(
    app: Flask, question_asked: AskQuestion, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config.update(SMTP_URL="smtp://127.0.0.1:9", MAIL_FROM="Blagh <no-reply@blagh.example.ma>")
    question_asked(notify=True, language="fr")
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.to_status == "needs_info"))
    assert event is not None and event.dispatched_at is None
    db.session.execute(update(CaseEvent).values(at=utcnow() - LONG_AGO))
    db.session.execute(update(OutboxJob).values(published_at=utcnow() - LONG_AGO))  # published, then lost
    commit()
    assert requeue_waiting_work(timedelta(minutes=10)) == {"case_event": 1}
    commit()
    assert run_job("case_event", event.id) is True and run_job("case_event", event.id) is False
    assert db.session.scalar(select(Notification.event_count)) == 1


def test_a_notification_held_by_a_dead_worker_is_sent_later(app: Flask, question_asked: AskQuestion) -> None:
    """A worker died while sending: its claim runs out, the reconciler queues the delivery again,
    and another worker can take it."""
    app.config.update(
        SMTP_URL="smtp://127.0.0.1:9", MAIL_FROM="Blagh <no-reply@blagh.example.ma>", NOTIFY_BATCH_SECONDS=0
    )
    question_asked(notify=True, language="fr")
    run_due_jobs("case_event")
    item = db.session.scalar(select(Notification))
    assert item is not None
    db.session.execute(
        update(Notification).values(
            state="sending", claimed_until=utcnow() - LONG_AGO, due_at=utcnow() - LONG_AGO
        )
    )
    db.session.execute(update(OutboxJob).values(published_at=utcnow() - LONG_AGO))
    commit()
    assert requeue_waiting_work(timedelta(minutes=10)) == {"notification": 1}
    commit()
    run_job("notification", item.id)  # port 9 refuses: claimed again, tried, kept for later
    db.session.expire_all()
    again = db.session.get(Notification, item.id)
    assert again is not None and again.state == "pending" and again.attempts == 1


def test_kinds_are_looked_up_by_name_so_a_typo_is_loud(app: Flask) -> None:
    with pytest.raises(LookupError, match="no job kind named 'triag'"):
        enqueue("triag", 1)
    assert replace(job_kinds()["triage"], name="x").subject(3) == "x:3"
