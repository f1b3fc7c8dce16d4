"""Where the monthly exports beat writes on the 1st are kept and read back: the folder EXPORT_DIR,
or the object store of STORAGE_URL (under `exports/`), so that an admin downloads from any web host
what beat wrote on another (intake.storage.s3_exports, imported only then: boto3 is not loaded
by a deployment without a store)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Protocol

from intake.config import private_folder


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
