"""Bind a Celery app to a Flask app (the pattern of Flask's `examples/celery`)."""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask
from sqlalchemy.exc import InterfaceError, OperationalError

from intake.reports.evidence import StoreUnavailable

# Task modules the worker imports; the web process only publishes by name and never imports them.
# workers.jobs makes one task per kind of job (intake.jobs.JOB_KINDS).
TASK_MODULES = ("workers.jobs", "workers.outbox", "workers.stats", "workers.privacy", "workers.storage")

# For tasks that write to the database. A database down for a moment (restart, failover, a locked
# SQLite file) is retried with exponential backoff, capped far below the visibility timeout; the
# tasks are idempotent, so a retry after a partial run has no second effect. When the retries are
# spent the job becomes a dead letter (FlaskTask.on_failure).
DATABASE_RETRY: dict[str, Any] = {
    # StoreUnavailable: the object store of STORAGE_URL down for a moment (evidence checks, deletions).
    "autoretry_for": (OperationalError, InterfaceError, StoreUnavailable),
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
}
# The retry policy a kind of job names (intake.outbox.kinds.JobKind.retry).
RETRY_POLICIES: dict[str, dict[str, Any]] = {"database": DATABASE_RETRY}


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

        def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
            """Retries are spent (or the error is not retryable): the job becomes a visible dead
            letter instead of vanishing. Status lives in the database, never in the broker."""
            from intake.outbox.services import mark_dead

            with app.app_context():
                mark_dead(task_id, exc)

    settings = app.config["CELERY"]
    transport_options = dict(settings["broker_transport_options"])
    if settings["broker_url"].startswith("redis"):
        # A task taken but not acknowledged (its worker died) goes back to the queue after this
        # long. Well above the longest task (task_time_limit) and the longest retry countdown
        # (retry_backoff_max), or a slow task would be delivered twice while still running.
        transport_options["visibility_timeout"] = app.config["BROKER_VISIBILITY_TIMEOUT"]
    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.conf.update(
        broker_url=settings["broker_url"],
        broker_transport_options=transport_options,
        # Status lives in the database, never in the broker: no result backend at all.
        task_ignore_result=True,
        result_backend=None,
        # One queue name per deployment, so that two deployments (or test runs) can share a Redis.
        task_default_queue=settings["queue"],
        task_serializer="json",
        accept_content=["json"],
        # A task is acknowledged after it ran, so a worker that dies mid-task leaves it queued...
        task_acks_late=True,
        # ...and a pool process killed mid-task (OOM, SIGKILL) hands its message back at once.
        task_reject_on_worker_lost=True,
        # Take one message at a time: a dying worker holds (and delays) no more than one report.
        worker_prefetch_multiplier=1,
        # A stuck task is stopped instead of blocking a worker slot for ever; both limits are far
        # below the visibility timeout.
        task_soft_time_limit=240,
        task_time_limit=300,
        # Publishing must not hang a web request when the broker is down: a few quick tries, then
        # the outbox row stays pending for beat's relay.
        task_publish_retry=True,
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5},
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=3,
        # On SIGTERM (a deploy), running tasks get this long to finish before a cold shutdown;
        # whatever is cut short is redelivered (acks_late) or re-queued by the reconciler.
        worker_soft_shutdown_timeout=20.0,
        worker_enable_soft_shutdown_on_idle=True,
        include=list(TASK_MODULES),
        timezone="UTC",
        enable_utc=True,
        beat_schedule={
            "relay-outbox": {"task": "outbox.relay", "schedule": app.config["OUTBOX_RELAY_INTERVAL"]},
            "reconcile-jobs": {"task": "outbox.reconcile", "schedule": app.config["RECONCILE_INTERVAL"]},
            # The deltas of the queue's counts folded into their totals (intake.stats.status_counts).
            "fold-status-counts": {"task": "stats.fold_status_counts", "schedule": 60.0},
            # Last month's counts, early on the 1st (Morocco is UTC+1 or UTC+0: 02:00 UTC is past
            # midnight there either way).
            "export-last-month": {
                "task": "stats.export_last_month",
                "schedule": crontab(minute=0, hour=2, day_of_month=1),
            },
            # Personal data kept past their time are erased every night.
            "apply-retention": {
                "task": "privacy.apply_retention",
                "schedule": crontab(minute=30, hour=3),
            },
            # Files on the object store that no report names (intake.storage.sweep); a no-op without it.
            "sweep-orphan-files": {
                "task": "storage.sweep_orphans",
                "schedule": app.config["ORPHAN_SWEEP_INTERVAL"],
            },
        },
        beat_schedule_filename=app.config["VAR_DIR"] + "/celerybeat-schedule",
    )

    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
