"""`flask storage migrate --to s3://…`: the evidence of a deployment that ran on a local folder,
moved to an object store, in batches, resumable, each object checked after upload.

An encrypted file goes up as it is (its encryption is bound to its name and evidence row, which do
not change); a file from before encryption is encrypted on the way. Each original is then read back
from the store, decrypted, and its SHA-256 compared with the one recorded at filing; a preview is
compared with the local copy. An object already there with the same content (its ciphertext's
SHA-256 kept in its metadata) is skipped, so an interrupted run simply starts again; an object that
does not read back as uploaded is deleted before the run stops, so the next run uploads it again
instead of counting it as there. The local files stay: remove them once STORAGE_URL points at the
store and the service has been checked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from botocore.exceptions import ClientError
from sqlalchemy import func, select

from intake.extensions import db
from intake.privacy.files import is_encrypted
from intake.privacy.sealing import UnsealError
from intake.reports.evidence import LocalEvidenceStore
from intake.reports.models import EvidenceFile
from intake.storage.s3 import S3EvidenceStore, is_missing, reaching_the_store

BATCH = 200
_READ = 1024 * 1024


class MigrationMismatch(Exception):
    """An object read back from the store is not what was uploaded: the run stops there."""


@dataclass
class MigrationResult:
    copied: int = 0
    already_there: int = 0
    missing: int = 0  # rows whose local file is gone (an erasure under way): nothing to move


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(_READ):
        digest.update(chunk)
    return digest.hexdigest()


def _rows() -> Iterator[list[tuple[int, str, str | None, str, str]]]:
    """The evidence rows in id order, a batch at a time (keyset: no OFFSET, no long transaction)."""
    after = 0
    while True:
        batch = db.session.execute(
            select(
                EvidenceFile.id,
                EvidenceFile.stored_name,
                EvidenceFile.preview_name,
                EvidenceFile.seal_id,
                EvidenceFile.sha256,
            )
            .where(EvidenceFile.id > after)
            .order_by(EvidenceFile.id)
            .limit(BATCH)
        ).all()
        db.session.rollback()
        if not batch:
            return
        yield [tuple(row) for row in batch]  # type: ignore[misc]
        after = batch[-1].id


def evidence_rows_count() -> int:
    return int(db.session.scalar(select(func.count(EvidenceFile.id))) or 0)


def _stored_digest(target: S3EvidenceStore, name: str) -> str | None:
    try:
        with reaching_the_store():
            head = target.client.head_object(Bucket=target.location.bucket, Key=target.key_of(name))
    except ClientError as error:
        if is_missing(error):
            return None
        raise
    return head.get("Metadata", {}).get("sha256")


def _move(
    local: LocalEvidenceStore, target: S3EvidenceStore, name: str, owner: str, clear_sha256: str | None
) -> str:
    """Copy one file; "copied", "already_there" or "missing"."""
    path = local.path_of(name)
    if not path.exists():
        return "missing"
    with path.open("rb") as raw:
        if is_encrypted(raw):
            digest = _sha256(raw)
            if _stored_digest(target, name) == digest:
                return "already_there"
            raw.seek(0)
            target.put_sealed(name, raw, digest)
        else:
            target.write_clear(name, owner, raw)  # encrypted on the way: the store holds no clear text
    if clear_sha256 is None:  # a preview: compared with the local copy
        with local.open(name, owner) as mine:
            clear_sha256 = _sha256(mine)
    try:
        with target.open(name, owner) as theirs:
            read_back: str | None = _sha256(theirs)
    except UnsealError:  # altered on the way: not even its encryption checks
        read_back = None
    if read_back != clear_sha256:
        target.delete(name)  # its metadata would otherwise pass it as "already there" next time
        raise MigrationMismatch(f"the object for evidence file {name} does not read back as uploaded")
    return "copied"


def migrate_evidence(
    local: LocalEvidenceStore, target: S3EvidenceStore, progress: Callable[[int], None] = lambda _: None
) -> MigrationResult:
    result = MigrationResult()
    for batch in _rows():
        for _id, stored_name, preview_name, seal_id, sha256 in batch:
            outcome = _move(local, target, stored_name, seal_id, sha256)
            setattr(result, outcome, getattr(result, outcome) + 1)
            if preview_name:
                outcome = _move(local, target, preview_name, seal_id, None)
                setattr(result, outcome, getattr(result, outcome) + 1)
        progress(len(batch))
    return result
