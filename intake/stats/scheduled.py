"""Last month's export, produced by beat on the 1st of each month and listed for admins."""

from __future__ import annotations

import re
from typing import IO

from flask import current_app

from intake.officer.audit import record
from intake.stats.counts import Month
from intake.stats.exports import EXPORT_FORMATS
from intake.storage.exports import ExportFile, ExportStore, LocalExportStore

EXPORT_NAME = re.compile(
    r"^blagh-\d{4}-\d{2}\.(" + "|".join(re.escape(f.extension) for f in EXPORT_FORMATS.values()) + r")$"
)
SCHEDULED_LANGUAGE = "fr"


def export_store() -> ExportStore:
    """The object store of STORAGE_URL when it is set (every host reads what beat wrote), else the
    folder EXPORT_DIR."""
    location = current_app.config.get("STORAGE")
    if location is None:
        return LocalExportStore(current_app.config["EXPORT_DIR"])
    from intake.storage.s3 import s3_client_of_app  # boto3 only where it is used
    from intake.storage.s3_exports import S3ExportStore

    return S3ExportStore(s3_client_of_app(), location)


def export_month_files(month: Month) -> list[str]:
    """The month in every format; written again if run again (the counts may have moved). The
    audit record is committed by the caller."""
    store = export_store()
    names = []
    for fmt in EXPORT_FORMATS.values():
        name = fmt.file_name([month])
        store.write(name, fmt.write([month], SCHEDULED_LANGUAGE, None))
        names.append(name)
    record("export", None, None, None, months=[str(month)], format=",".join(EXPORT_FORMATS), scheduled=True)
    return names


def export_files() -> list[ExportFile]:
    files = [item for item in export_store().files() if EXPORT_NAME.match(item.name)]
    return sorted(files, key=lambda f: f.name, reverse=True)


def open_export(name: str) -> IO[bytes] | None:
    """The file of that name, only if it is one of ours (never a path from the request)."""
    if not EXPORT_NAME.match(name):
        return None
    return export_store().open(name)
