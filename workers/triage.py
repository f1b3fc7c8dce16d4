"""Triage tasks: take ids, call `intake.triage.services`."""

from datetime import timedelta

from celery import shared_task
from flask import current_app

from intake.triage import services
from workers.app import DATABASE_RETRY


@shared_task(name="triage.triage_report", **DATABASE_RETRY)
def triage_report(report_id: int) -> None:
    services.triage_report(report_id)


@shared_task(name="triage.reconcile")
def reconcile() -> None:
    services.requeue_stuck_reports(timedelta(seconds=current_app.config["TRIAGE_RECONCILE_AFTER"]))
