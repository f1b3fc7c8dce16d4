"""Entry point for `celery -A workers.main worker|beat`: builds the Flask app once per process."""

from typing import Any

from celery.signals import worker_process_init, worker_process_shutdown, worker_ready

from intake import create_app
from intake.extensions import db
from intake.notifications.channels import announce_channels
from intake.outbox.publisher import EXIT_WAIT_SECONDS, publisher

flask_app = create_app()
celery_app = flask_app.extensions["celery"]


@worker_process_init.connect
def fresh_connections_in_each_child(**_: Any) -> None:
    """A forked pool process must not share the parent's pooled database connections."""
    with flask_app.app_context():
        db.engine.dispose(close=False)


@worker_process_shutdown.connect
def send_what_the_child_queued(**_: Any) -> None:
    """A pool process ends with os._exit (no atexit): the jobs its tasks queued are sent first."""
    publisher(flask_app).wait_idle(EXIT_WAIT_SECONDS)


@worker_ready.connect
def say_which_channels_are_off(**_: Any) -> None:
    """The worker is what sends notifications: it says once, as it starts, which channels are off."""
    announce_channels(flask_app.config)
