"""Evidence originals and previews in an S3-compatible store, encrypted before they leave the
process (intake.privacy.files): the store only ever holds ciphertext.

Uploads stream through a spooled file (kept in memory up to 1 MiB, on disk beyond) and go up in
parts above 8 MiB; downloads come back the same way, then are decrypted chunk by chunk as they are
read, as from the local folder.
"""

from __future__ import annotations

import io
import logging
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import IO, Any

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from flask import current_app
from s3transfer.exceptions import RetriesExceededError

from intake.privacy.files import encrypt_stream, key_id_of_file
from intake.reports.evidence import SealedFiles, StoreUnavailable, clear_reader, file_place
from intake.storage.location import S3Location
from intake.types import utcnow

log = logging.getLogger(__name__)
SPOOL_BYTES = 1024 * 1024
DATED_NAME_LENGTH = 40
PART_BYTES = 8 * 1024 * 1024
TRANSFER = TransferConfig(multipart_threshold=PART_BYTES, multipart_chunksize=PART_BYTES, use_threads=False)
# A store that does not answer must cost seconds, not a request's whole life.
CLIENT_CONFIG = Config(connect_timeout=3, read_timeout=20, retries={"max_attempts": 2, "mode": "standard"})


@contextmanager
def reaching_the_store() -> Iterator[None]:
    """The store's own failures (no connection, a timeout, a 5xx, a download cut off until its retries
    ran out) become StoreUnavailable, logged once here (the 503 paths log nothing); what the store
    answers about the request itself (a missing key, a refusal) stays a ClientError."""
    try:
        yield
    except ClientError as error:
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        if status >= 500 or error.response.get("Error", {}).get("Code") in {"SlowDown", "ServiceUnavailable"}:
            log.warning("the object store cannot be reached: %s", error)
            raise StoreUnavailable(str(error)) from error
        raise
    except (BotoCoreError, RetriesExceededError) as error:  # s3transfer's, from download_fileobj
        log.warning("the object store cannot be reached: %s", error)
        raise StoreUnavailable(str(error)) from error


def is_missing(error: ClientError) -> bool:
    """A missing key: "404" from a HEAD (download_fileobj starts with one), NoSuchKey from a GET."""
    return error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey"}


def s3_client_of_app() -> Any:
    """The app's client for STORAGE_URL: one per process (boto3 clients are thread-safe)."""
    client = current_app.extensions.get("blagh_s3")
    if client is None:
        client = current_app.extensions["blagh_s3"] = s3_client(current_app.config["STORAGE"])
    return client


def s3_client(location: S3Location) -> Any:
    """A client for the location (thread-safe: one per process is enough)."""
    return boto3.session.Session().client(
        "s3", endpoint_url=location.endpoint, region_name=location.region or "us-east-1", config=CLIENT_CONFIG
    )


class S3EvidenceStore(SealedFiles):
    """The EvidenceStore of intake.reports.evidence, on an object store: keys `evidence/<day>/<name>`
    (`evidence/ab/<name>` for names from before, moved by `storage migrate`)."""

    def __init__(self, client: Any, location: S3Location) -> None:
        self.client = client
        self.location = location

    def _new_name(self) -> str:
        """`20261130` + 32 hex digits: the day of upload leads, so that the sweep of orphans lists
        only the last few days' keys, however many years the store holds."""
        return f"{utcnow():%Y%m%d}{uuid.uuid4().hex}"

    def key_of(self, stored_name: str) -> str:
        if not stored_name.isalnum():
            raise ValueError("invalid stored name")
        if len(stored_name) == DATED_NAME_LENGTH and stored_name[:8].isdigit():
            return self.location.key(f"evidence/{stored_name[:8]}/{stored_name}")
        return self.location.key(f"evidence/{stored_name[:2]}/{stored_name}")  # a name from before

    def uploaded_on(self, day: date) -> Iterator[tuple[str, datetime]]:
        """The names of the files uploaded on `day` (UTC), with when each was last written."""
        prefix = self.location.key(f"evidence/{day:%Y%m%d}/")
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.location.bucket, Prefix=prefix
        )
        with reaching_the_store():
            for page in pages:
                for item in page.get("Contents", []):
                    yield item["Key"].rsplit("/", 1)[-1], item["LastModified"]

    def _write(self, stored_name: str, owner: str, stream: IO[bytes]) -> tuple[int, str]:
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as sealed:
            size, sha256 = encrypt_stream(stream, sealed, file_place(stored_name, owner))
            sealed.seek(0)
            with reaching_the_store():
                self.client.upload_fileobj(
                    sealed, self.location.bucket, self.key_of(stored_name), Config=TRANSFER
                )
        return size, sha256

    def put_sealed(self, stored_name: str, sealed: IO[bytes], sha256: str) -> None:
        """Upload a file already encrypted (moved from the local folder), its ciphertext's SHA-256 in
        the object's metadata so that a second run can tell it is there."""
        with reaching_the_store():
            self.client.upload_fileobj(
                sealed,
                self.location.bucket,
                self.key_of(stored_name),
                ExtraArgs={"Metadata": {"sha256": sha256}},
                Config=TRANSFER,
            )

    def write_clear(self, stored_name: str, owner: str, clear: IO[bytes]) -> None:
        """Encrypt and upload a file under an existing name (one kept in clear from before encryption)."""
        self._write(stored_name, owner, clear)

    def _download(self, stored_name: str) -> IO[bytes]:
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the caller closes it
        try:
            with reaching_the_store():
                self.client.download_fileobj(
                    self.location.bucket, self.key_of(stored_name), spool, Config=TRANSFER
                )
        except StoreUnavailable:
            spool.close()
            raise
        except ClientError as error:
            spool.close()
            if is_missing(error):
                raise FileNotFoundError(stored_name) from error
            raise
        spool.seek(0)
        return spool

    def open(self, stored_name: str, owner: str) -> IO[bytes]:
        """The clear content (see intake.reports.evidence.clear_reader)."""
        return clear_reader(self._download(stored_name), stored_name, owner)

    def key_id(self, stored_name: str) -> str | None:
        """As LocalEvidenceStore.key_id, FileNotFoundError included: `flask keys status` and `rotate`
        count a missing file instead of stopping on it."""
        try:
            with reaching_the_store():
                head = self.client.get_object(
                    Bucket=self.location.bucket, Key=self.key_of(stored_name), Range="bytes=0-63"
                )
                start = head["Body"].read()
        except ClientError as error:
            if is_missing(error):
                raise FileNotFoundError(stored_name) from error
            raise
        return key_id_of_file(io.BytesIO(start))

    def delete(self, stored_name: str) -> None:
        with reaching_the_store():
            self.client.delete_object(Bucket=self.location.bucket, Key=self.key_of(stored_name))
