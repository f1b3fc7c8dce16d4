"""Last month's export, produced by beat on the 1st of each month and listed for admins."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app

from intake.config import private_folder
from intake.officer.audit import record
from intake.stats.counts import Month
from intake.stats.exports import EXPORT_FORMATS

EXPORT_NAME = re.compile(
    r"^blagh-\d{4}-\d{2}\.(" + "|".join(re.escape(f.extension) for f in EXPORT_FORMATS.values()) + r")$"
)
SCHEDULED_LANGUAGE = "fr"


def export_dir() -> Path:
    return Path(current_app.config["EXPORT_DIR"])


def _write_atomically(path: Path, chunks: Iterable[bytes]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".export-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.writelines(chunks)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_month_files(month: Month) -> list[Path]:
    """The month in every format; written again if run again (the counts may have moved). The
    audit record is committed by the caller."""
    folder = private_folder(export_dir())
    paths = []
    for fmt in EXPORT_FORMATS.values():
        path = folder / fmt.file_name([month])
        _write_atomically(path, fmt.write([month], SCHEDULED_LANGUAGE, None))
        paths.append(path)
    record("export", None, None, None, months=[str(month)], format=",".join(EXPORT_FORMATS), scheduled=True)
    return paths


@dataclass(frozen=True)
class ExportFile:
    name: str
    size: int
    written_at: datetime


def export_files() -> list[ExportFile]:
    folder = export_dir()
    if not folder.exists():
        return []
    files = [
        ExportFile(p.name, p.stat().st_size, datetime.fromtimestamp(p.stat().st_mtime).astimezone())
        for p in folder.iterdir()
        if EXPORT_NAME.match(p.name)
    ]
    return sorted(files, key=lambda f: f.name, reverse=True)


def export_path(name: str) -> Path | None:
    """The file of that name, only if it is one of ours (never a path from the request)."""
    if not EXPORT_NAME.match(name):
        return None
    path = export_dir() / name
    return path if path.is_file() else None
