"""Where the monthly exports beat writes on the 1st are kept and read back: the folder EXPORT_DIR,
or the object store of STORAGE_URL (under `exports/`), so that an admin downloads from any web host
what beat wrote on another. On the store they are encrypted like evidence (bound to their name):
counts only, but the store holds no clear text."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Protocol

from botocore.exceptions import ClientError

from intake.config import private_folder
from intake.privacy.files import CHUNK, DecryptingReader, encrypt_stream
from intake.storage.location import S3Location
from intake.storage.s3 import SPOOL_BYTES, TRANSFER, is_missing, reaching_the_store


@dataclass(frozen=True)
class ExportFile:
    name: str
    size: int
    written_at: datetime


class ExportStore(Protocol):
    def write(self, name: str, chunks: Iterable[bytes]) -> None: ...
    def files(self) -> list[ExportFile]: ...
    def open(self, name: str) -> IO[bytes] | None: ...


class LocalExportStore:
    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def write(self, name: str, chunks: Iterable[bytes]) -> None:
        """Written whole under another name, then moved into place: a reader never sees half a file."""
        folder = private_folder(self.folder)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".export-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.writelines(chunks)
            os.chmod(tmp, 0o600)
            os.replace(tmp, folder / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def files(self) -> list[ExportFile]:
        if not self.folder.exists():
            return []
        return [
            ExportFile(p.name, p.stat().st_size, datetime.fromtimestamp(p.stat().st_mtime).astimezone())
            for p in self.folder.iterdir()
            if p.is_file() and not p.name.startswith(".")
        ]

    def open(self, name: str) -> IO[bytes] | None:
        path = self.folder / name
        return path.open("rb") if path.is_file() else None


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
