"""The rules for evidence files, wherever a citizen sends them (the report, an answer): how many,
how large, and of what type (read from the content, never from the name)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from flask import current_app
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage
from wtforms.validators import ValidationError

from intake.config import MiB
from intake.reports.evidence import ALLOWED_MEDIA_TYPES, detect_media_type, stream_size


@dataclass(frozen=True)
class CheckedUpload:
    """An uploaded file with the media type its content showed during validation."""

    stream: IO[bytes]
    filename: str
    media_type: str


def uploaded_files(files: list[object] | None) -> list[FileStorage]:
    """The files actually chosen in a file field (browsers send an empty part for none)."""
    return [f for f in (files or []) if isinstance(f, FileStorage) and f.filename]


def check_uploads(files: list[FileStorage], allowed: bool = True) -> tuple[CheckedUpload, ...]:
    """Raises ValidationError with a message for the citizen; returns each file with its type."""
    if not files:
        return ()
    if not allowed:
        raise ValidationError(_l("For this category, do not upload any file: give the links only."))
    message = evidence_size_error(files)
    if message is not None:
        raise ValidationError(message)
    checked = []
    for upload in files:
        if stream_size(upload.stream) == 0:
            raise ValidationError(_l("One of the files is empty."))
        media_type = detect_media_type(upload.stream)
        if media_type is None or media_type not in ALLOWED_MEDIA_TYPES:
            raise ValidationError(
                _l(
                    "This type of file is not accepted: send images (PNG, JPEG), PDF, text, e-mails (EML) or MP4 videos."
                )
            )
        checked.append(CheckedUpload(upload.stream, upload.filename or "", media_type))
    return tuple(checked)


def evidence_size_error(files: list[FileStorage]) -> LazyString | None:
    """The limits on count and size of evidence; the API answers 413 when one is exceeded."""
    limits = evidence_limits()
    if len(files) > limits["files"]:
        return _l("Too many files: %(files)s at most.", **limits)
    sizes = [stream_size(upload.stream) for upload in files]
    if any(size > current_app.config["EVIDENCE_MAX_FILE_BYTES"] for size in sizes):
        return _l("Each file must be %(file_mb)s MB at most.", **limits)
    if sum(sizes) > current_app.config["EVIDENCE_MAX_TOTAL_BYTES"]:
        return _l("All files together must be %(total_mb)s MB at most.", **limits)
    return None


def evidence_limits() -> dict[str, int]:
    """The configured limits, in the units the citizen reads them in (for messages and hints)."""
    config = current_app.config
    return {
        "files": config["EVIDENCE_MAX_FILES"],
        "file_mb": config["EVIDENCE_MAX_FILE_BYTES"] // MiB,
        "total_mb": config["EVIDENCE_MAX_TOTAL_BYTES"] // MiB,
    }
