"""`flask --app intake storage …`: the object store (STORAGE_URL)."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from intake.reports.evidence import evidence_store
from intake.storage.s3 import S3EvidenceStore
from intake.storage.sweep import sweep_orphans
from intake.types import utcnow

storage = AppGroup("storage", help="The object store of STORAGE_URL.")


@storage.command("sweep")
@click.option(
    "--days", default=None, type=int, help="How many days back to list (ORPHAN_SWEEP_DAYS by default)."
)
def sweep(days: int | None) -> None:
    """Delete the files no report names, uploaded more than ORPHAN_GRACE_SECONDS ago."""
    store = evidence_store()
    if not isinstance(store, S3EvidenceStore):
        raise click.ClickException("STORAGE_URL is not set: the local folder has no sweep")
    config = current_app.config
    deleted = sweep_orphans(
        store,
        utcnow(),
        timedelta(seconds=config["ORPHAN_GRACE_SECONDS"]),
        config["ORPHAN_SWEEP_DAYS"] if days is None else days,
    )
    click.echo(f"{deleted} orphan files deleted")
