"""Object-store tasks: beat's sweep of orphan files (only with STORAGE_URL)."""

from datetime import timedelta

from celery import shared_task
from flask import current_app

from intake.reports.evidence import evidence_store
from intake.types import utcnow
from workers.app import DATABASE_RETRY


@shared_task(name="storage.sweep_orphans", **DATABASE_RETRY)
def sweep_orphans_task() -> int:
    config = current_app.config
    if config.get("STORAGE") is None:
        return 0  # the local folder: nothing to sweep, and boto3 never loaded
    from intake.storage.s3 import S3EvidenceStore
    from intake.storage.sweep import sweep_orphans

    store = evidence_store()
    if not isinstance(store, S3EvidenceStore):
        return 0
    return sweep_orphans(
        store, utcnow(), timedelta(seconds=config["ORPHAN_GRACE_SECONDS"]), config["ORPHAN_SWEEP_DAYS"]
    )
