"""Beat's outbox tasks: the relay that publishes what the web process could not hand over, and the
reconciler that queues again any work left undone, for every kind of job."""

from datetime import timedelta

from celery import shared_task
from flask import current_app

from intake.outbox import services
from intake.unit_of_work import commit


@shared_task(name="outbox.relay")
def relay() -> None:
    services.relay_pending()


@shared_task(name="outbox.reconcile")
def reconcile() -> None:
    services.requeue_waiting_work(timedelta(seconds=current_app.config["RECONCILE_AFTER"]))
    commit()
