"""Bind a Celery app to a Flask app (the pattern of Flask's `examples/celery`)."""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from flask import Flask

# Task modules the worker imports; the web process only publishes by name and never imports them.
TASK_MODULES = ("workers.triage", "workers.outbox")


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    settings = app.config["CELERY"]
    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.conf.update(
        broker_url=settings["broker_url"],
        broker_transport_options=settings["broker_transport_options"],
        # Status lives in the database, never in the broker: no result backend at all.
        task_ignore_result=True,
        # One queue name per deployment, so that two deployments (or test runs) can share a Redis.
        task_default_queue=settings["queue"],
        result_backend=None,
        task_serializer="json",
        accept_content=["json"],
        # A task is acknowledged after it ran, so a worker that dies mid-task leaves it queued.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # Publishing from a web request must not hang when the broker is down: the outbox keeps the job.
        task_publish_retry=True,
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5},
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=3,
        include=list(TASK_MODULES),
        timezone="UTC",
        enable_utc=True,
        beat_schedule={
            "relay-outbox": {"task": "outbox.relay", "schedule": app.config["OUTBOX_RELAY_INTERVAL"]},
        },
        beat_schedule_filename=app.config["VAR_DIR"] + "/celerybeat-schedule",
    )
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
