"""`flask --app intake storage …`: the object store (STORAGE_URL). The group is registered at every
start; what talks to the store (boto3) is imported by the command that runs."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from intake.reports.evidence import LocalEvidenceStore, StoreUnavailable, evidence_store
from intake.storage.location import StorageURLError, parse_storage_url
from intake.types import utcnow

storage = AppGroup("storage", help="The object store of STORAGE_URL.")


@storage.command("sweep")
@click.option(
    "--days", default=None, type=int, help="How many days back to list (ORPHAN_SWEEP_DAYS by default)."
)
def sweep(days: int | None) -> None:
    """Delete the files no report names, uploaded more than ORPHAN_GRACE_SECONDS ago."""
    from intake.storage.s3 import S3EvidenceStore
    from intake.storage.sweep import sweep_orphans

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


@storage.command("migrate")
@click.option(
    "--to", "target_url", required=True, help="The store to move to: s3://bucket?endpoint=…&region=…"
)
def migrate(target_url: str) -> None:
    """Move the evidence of EVIDENCE_DIR to an object store, checking each file after upload.
    Resumable: run it again after an interruption. The local files are kept."""
    from intake.storage.migration import MigrationMismatch, evidence_rows_count, migrate_evidence
    from intake.storage.s3 import S3EvidenceStore, s3_client

    try:
        location = parse_storage_url(target_url)
    except StorageURLError as error:
        raise click.ClickException(str(error)) from error
    local = LocalEvidenceStore(current_app.config["EVIDENCE_DIR"])
    target = S3EvidenceStore(s3_client(location), location)
    try:
        with click.progressbar(length=evidence_rows_count(), label="Evidence files") as bar:
            result = migrate_evidence(local, target, bar.update)
    except (MigrationMismatch, StoreUnavailable) as error:
        raise click.ClickException(f"{error}: nothing was deleted; run the command again") from error
    click.echo(
        f"{result.copied} files copied and checked, {result.already_there} already there, "
        f"{result.missing} without a local file (erased meanwhile)"
    )


@storage.command("check")
@click.option("--create", is_flag=True, help="Create the bucket when it does not exist yet.")
def check(create: bool) -> None:
    """Check that STORAGE_URL's bucket answers with these credentials (a deployment's first step)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from intake.storage.s3 import s3_client_of_app

    location = current_app.config.get("STORAGE")
    if location is None:
        raise click.ClickException("STORAGE_URL is not set: files stay in EVIDENCE_DIR and EXPORT_DIR")
    client = s3_client_of_app()
    try:
        try:
            client.head_bucket(Bucket=location.bucket)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in {"404", "NoSuchBucket"} or not create:
                raise click.ClickException(
                    f"the bucket {location.bucket} does not answer: {error}"
                ) from error
            # AWS refuses a bucket outside us-east-1 created without its region
            placed = (
                {"CreateBucketConfiguration": {"LocationConstraint": location.region}}
                if location.region and location.region != "us-east-1"
                else {}
            )
            client.create_bucket(Bucket=location.bucket, **placed)
            click.echo(f"bucket {location.bucket} created")
    except ClientError as error:
        raise click.ClickException(f"the bucket {location.bucket} cannot be created: {error}") from error
    except BotoCoreError as error:
        raise click.ClickException(f"the store cannot be reached: {error}") from error
    click.echo(f"bucket {location.bucket} answers")
