"""The sweep of orphan objects: a file uploaded for a report (or an answer) that never committed,
because the process died between the upload and the COMMIT, or the store went down before the file
could be removed. Beat runs it (workers/storage.py); `flask storage sweep` too.

Only the last few days are listed (keys lead with the day of upload: intake.storage.s3), and only
files older than a grace period are considered, so that a filing in flight keeps its files.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from itertools import islice

from sqlalchemy import or_, select

from intake.extensions import db
from intake.reports.models import EvidenceFile
from intake.storage.s3 import S3EvidenceStore

log = logging.getLogger(__name__)
BATCH = 500


def _referenced(names: list[str]) -> set[str]:
    rows = db.session.execute(
        select(EvidenceFile.stored_name, EvidenceFile.preview_name).where(
            or_(EvidenceFile.stored_name.in_(names), EvidenceFile.preview_name.in_(names))
        )
    ).all()
    return {name for row in rows for name in row if name}


def sweep_orphans(store: S3EvidenceStore, now: datetime, grace: timedelta, days: int) -> int:
    """Delete the files uploaded today and on the `days` days before that no evidence row names and
    that are older than `grace`; how many were deleted."""
    deleted = 0
    for back in range(days, -1, -1):
        listed = (
            name
            for name, written in store.uploaded_on((now - timedelta(days=back)).date())
            if written < now - grace
        )
        while batch := list(islice(listed, BATCH)):
            for name in set(batch) - _referenced(batch):
                store.delete(name)
                deleted += 1
            db.session.rollback()  # read-only: end the transaction between batches
    if deleted:
        log.warning("deleted %d orphan evidence files from the store", deleted)
    return deleted
