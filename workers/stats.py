"""Statistics tasks: take nothing, call `intake.stats.scheduled`."""

from celery import shared_task

from intake.stats.counts import Month
from intake.stats.scheduled import export_month_files
from intake.stats.status_counts import fold_deltas
from intake.types import utcnow
from intake.unit_of_work import commit
from workers.app import DATABASE_RETRY


@shared_task(name="stats.export_last_month", **DATABASE_RETRY)
def export_last_month() -> None:
    export_month_files(Month.containing(utcnow()).previous())
    commit()


@shared_task(name="stats.fold_status_counts", **DATABASE_RETRY)
def fold_status_counts() -> None:
    fold_deltas()
    commit()
