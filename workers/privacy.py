"""Privacy tasks: beat's nightly retention run (each erasure commits on its own)."""

from celery import shared_task
from flask import current_app

from intake.privacy.retention import apply_retention
from workers.app import DATABASE_RETRY


@shared_task(name="privacy.apply_retention", **DATABASE_RETRY)
def apply_retention_task() -> None:
    apply_retention(current_app.config)
