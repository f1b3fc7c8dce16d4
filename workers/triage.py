"""Triage tasks: take ids, call `intake.triage.services`."""

from celery import shared_task

from intake.triage import services


@shared_task(name="triage.triage_report")
def triage_report(report_id: int) -> None:
    services.triage_report(report_id)
