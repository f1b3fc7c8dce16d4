"""Triage tasks: take ids, call `intake.triage.services`."""

from celery import shared_task
from sqlalchemy.exc import InterfaceError, OperationalError

from intake.triage import services


# A database that is down for a moment (restart, failover, a locked SQLite file) is retried with
# backoff; the task is idempotent, so a retry after a partial run has no second effect.
@shared_task(
    name="triage.triage_report",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
)
def triage_report(report_id: int) -> None:
    services.triage_report(report_id)
