"""The monthly exports on the object store (`exports/` in the bucket), encrypted like evidence and
bound to their name: counts only, but the store holds no clear text."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable
from typing import IO, Any

from botocore.exceptions import ClientError

from intake.privacy.files import CHUNK, DecryptingReader, encrypt_stream
from intake.storage.exports import ExportFile
from intake.storage.location import S3Location
from intake.storage.s3 import SPOOL_BYTES, TRANSFER, is_missing, reaching_the_store


def _place(name: str) -> str:
    return f"export:{name}"


class S3ExportStore:
    def __init__(self, client: Any, location: S3Location) -> None:
        self.client = client
        self.location = location

    def _key(self, name: str) -> str:
        return self.location.key(f"exports/{name}")

    def write(self, name: str, chunks: Iterable[bytes]) -> None:
        with (
            tempfile.SpooledTemporaryFile(SPOOL_BYTES) as clear,
            tempfile.SpooledTemporaryFile(SPOOL_BYTES) as sealed,
        ):
            clear.writelines(chunks)
            clear.seek(0)
            size, _ = encrypt_stream(clear, sealed, _place(name))
            sealed.seek(0)
            with reaching_the_store():
                self.client.upload_fileobj(
                    sealed,
                    self.location.bucket,
                    self._key(name),
                    ExtraArgs={"Metadata": {"size": str(size)}},
                    Config=TRANSFER,
                )

    def files(self) -> list[ExportFile]:
        prefix = self._key("")
        found = []
        with reaching_the_store():
            for page in self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.location.bucket, Prefix=prefix
            ):
                for item in page.get("Contents", []):
                    head = self.client.head_object(Bucket=self.location.bucket, Key=item["Key"])
                    size = int(head.get("Metadata", {}).get("size") or item["Size"])
                    found.append(ExportFile(item["Key"][len(prefix) :], size, item["LastModified"]))
        return found

    def open(self, name: str) -> IO[bytes] | None:
        """None for a name the store does not hold; any other refusal (credentials, rights) is raised."""
        spool = tempfile.SpooledTemporaryFile(SPOOL_BYTES)  # noqa: SIM115 - the caller closes what it returns
        try:
            with reaching_the_store():
                self.client.download_fileobj(self.location.bucket, self._key(name), spool, Config=TRANSFER)
            spool.seek(0)
            return io.BufferedReader(DecryptingReader(spool, _place(name)), buffer_size=CHUNK)
        except ClientError as error:
            spool.close()
            if is_missing(error):
                return None
            raise
        except BaseException:
            spool.close()
            raise
