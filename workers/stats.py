"""Statistics tasks: take nothing, call `intake.stats.scheduled`."""

from celery import shared_task

from intake.stats.scheduled import export_month_files, previous_month
from intake.types import utcnow
from workers.app import DATABASE_RETRY


@shared_task(name="stats.export_last_month", **DATABASE_RETRY)
def export_last_month() -> None:
    export_month_files(previous_month(utcnow()))
