"""Last month's export, produced by beat on the 1st of each month and listed for admins."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from flask import current_app

from intake.extensions import db
from intake.i18n import LOCAL_TIMEZONE
from intake.officer.audit import record
from intake.stats.counts import Month
from intake.stats.exports import csv_chunks, json_chunks, xlsx_file

EXPORT_NAME = re.compile(r"^blagh-\d{4}-\d{2}\.(csv|json|xlsx)$")
SCHEDULED_LANGUAGE = "fr"


def export_dir() -> Path:
    return Path(current_app.config["EXPORT_DIR"])


def previous_month(now: datetime) -> Month:
    local = now.astimezone(ZoneInfo(LOCAL_TIMEZONE))
    return Month(local.year - 1, 12) if local.month == 1 else Month(local.year, local.month - 1)


def _write_atomically(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".export-")
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _writer(month: Month, fmt: str) -> Callable[[IO[bytes]], None]:
    def write(out: IO[bytes]) -> None:
        if fmt == "xlsx":
            with xlsx_file([month], SCHEDULED_LANGUAGE, None) as data:
                shutil.copyfileobj(data, out)
            return
        chunks = (csv_chunks if fmt == "csv" else json_chunks)([month], SCHEDULED_LANGUAGE, None)
        for chunk in chunks:
            out.write(chunk.encode("utf-8"))

    return write


def export_month_files(month: Month) -> list[Path]:
    """The month in the three formats; written again if run again (the counts may have moved)."""
    folder = export_dir()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in ("csv", "json", "xlsx"):
        path = folder / f"blagh-{month}.{fmt}"
        _write_atomically(path, _writer(month, fmt))
        paths.append(path)
    record("export", None, None, None, months=[str(month)], format="csv,json,xlsx", scheduled=True)
    db.session.commit()
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
