"""Evidence seen again in the worker: the type from the content, the hash of the untouched original,
and, for images, a preview re-encoded without metadata (EXIF, GPS) and under a pixel limit.

The original is evidence and is never modified. A file that is corrupt, of the wrong type or a
decompression bomb is recorded as rejected with a reason; the report goes on regardless.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from datetime import datetime

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import CursorResult, Select, select, update

from intake.extensions import db
from intake.reports.evidence import ALLOWED_MEDIA_TYPES, EvidenceStore, detect_media_type, evidence_store
from intake.reports.models import EvidenceCheck, EvidenceFile, Report, ReportStatus
from intake.triage.pdf_actions import active_content
from intake.types import utcnow

log = logging.getLogger(__name__)
# Above any screenshot or phone photo (a 48-megapixel camera), far below a bomb's billions. Pillow
# refuses to open twice this (DecompressionBombError); between the two, make_preview refuses itself.
MAX_PREVIEW_SOURCE_PIXELS = 50_000_000
Image.MAX_IMAGE_PIXELS = MAX_PREVIEW_SOURCE_PIXELS
PREVIEW_SIZE = (1600, 1600)
IMAGE_FORMATS = {"image/png": ["PNG"], "image/jpeg": ["JPEG"]}
_READ_CHUNK = 1024 * 1024


class EvidenceRejected(Exception):
    """The file cannot be used as it is; `reason` is recorded for officers."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CheckResult:
    status: str
    reason: str | None = None
    preview_name: str | None = None
    active_content: str | None = None


def _sha256(store: EvidenceStore, item: EvidenceFile) -> str:
    digest = hashlib.sha256()
    with store.open(item.stored_name, item.seal_id) as original:
        while chunk := original.read(_READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def make_preview(data: bytes, media_type: str) -> bytes:
    """A PNG or JPEG rebuilt from the pixels only: no EXIF, no GPS, no comments, at most 1600 px,
    turned the way the camera meant (EXIF orientation applied before the metadata is dropped)."""
    try:
        with Image.open(io.BytesIO(data), formats=IMAGE_FORMATS[media_type]) as image:
            if image.width * image.height > MAX_PREVIEW_SOURCE_PIXELS:
                raise EvidenceRejected(f"over the pixel limit ({MAX_PREVIEW_SOURCE_PIXELS:,} pixels)")
            if media_type == "image/jpeg":
                image.draft("RGB", PREVIEW_SIZE)  # decode at a reduced scale: far less memory
            image.thumbnail(PREVIEW_SIZE)  # shrink before any conversion copies the pixels
            upright = ImageOps.exif_transpose(image)
            pixels = upright.convert("RGBA" if media_type == "image/png" else "RGB")
    except Image.DecompressionBombError as error:
        raise EvidenceRejected("decompression bomb: refused to open") from error
    except Image.DecompressionBombWarning as error:  # when warnings are errors: the same limit
        raise EvidenceRejected(f"over the pixel limit ({MAX_PREVIEW_SOURCE_PIXELS:,} pixels)") from error
    except MemoryError as error:
        raise EvidenceRejected("not enough memory to open the image") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise EvidenceRejected(f"corrupt image: {type(error).__name__}") from error
    clean = Image.new(pixels.mode, pixels.size)  # a fresh image carries none of the original's info
    clean.paste(pixels)
    out = io.BytesIO()
    clean.save(out, format="PNG" if media_type == "image/png" else "JPEG", quality=85)
    return out.getvalue()


def _check(item: EvidenceFile, store: EvidenceStore) -> CheckResult:
    with store.open(item.stored_name, item.seal_id) as original:
        media_type = detect_media_type(original)
    if media_type is None or media_type not in ALLOWED_MEDIA_TYPES:
        return CheckResult(EvidenceCheck.REJECTED.value, "the content is not an accepted type")
    if media_type != item.media_type:
        return CheckResult(
            EvidenceCheck.REJECTED.value, f"the content is {media_type}, not {item.media_type}"
        )
    if _sha256(store, item) != item.sha256:
        return CheckResult(EvidenceCheck.REJECTED.value, "the file changed since it was received")
    if media_type not in IMAGE_FORMATS and media_type != "application/pdf":
        return CheckResult(EvidenceCheck.ACCEPTED.value)  # texts and videos are never rendered
    with store.open(item.stored_name, item.seal_id) as original:
        data = original.read()
    if media_type == "application/pdf":  # never rendered here; officers are warned of what it may run
        return CheckResult(
            EvidenceCheck.ACCEPTED.value, active_content=",".join(active_content(data)) or None
        )
    try:
        preview = make_preview(data, media_type)
    except EvidenceRejected as rejected:
        return CheckResult(EvidenceCheck.REJECTED.value, rejected.reason)
    # the preview is bound to the same evidence row as its original
    saved = store.save(io.BytesIO(preview), item.seal_id)
    return CheckResult(EvidenceCheck.ACCEPTED.value, preview_name=saved.stored_name)


def check_evidence(evidence_id: int, store: EvidenceStore | None = None) -> bool:
    """Check one file once; False when it was already checked (a redelivered job) or is gone. The
    result is written (conditionally, like triage's claim) and committed by the caller."""
    store = store or evidence_store()
    item = db.session.scalar(
        select(EvidenceFile).where(
            EvidenceFile.id == evidence_id, EvidenceFile.check_status == EvidenceCheck.PENDING.value
        )
    )
    if item is None:
        return False
    try:
        result = _check(item, store)
    except FileNotFoundError:
        db.session.rollback()
        if db.session.get(EvidenceFile, evidence_id) is None:
            return False  # erased since it was read
        raise  # a file missing under its row: the job fails, loudly
    db.session.rollback()  # end the read; the write below is conditional, like triage's claim
    written: CursorResult[tuple[()]] = db.session.execute(  # type: ignore[assignment]
        update(EvidenceFile)
        .where(EvidenceFile.id == evidence_id, EvidenceFile.check_status == EvidenceCheck.PENDING.value)
        .values(
            check_status=result.status,
            rejection_reason=result.reason,
            preview_name=result.preview_name,
            active_content=result.active_content,
            checked_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if written.rowcount != 1:  # a concurrent delivery of the same job got there first
        db.session.rollback()
        if result.preview_name:
            store.delete(result.preview_name)
        return False
    if result.status == EvidenceCheck.REJECTED.value:
        log.warning("evidence %s rejected: %s", evidence_id, result.reason)
    if result.active_content:
        log.warning("evidence %s: PDF with active content (%s)", evidence_id, result.active_content)
    return True


def files_waiting(cutoff: datetime) -> Select[int]:
    """Files still pending since before `cutoff` in triaged reports (triage queues the checks, so
    never before it; the reconciler queues them again)."""
    return (
        select(EvidenceFile.id)
        .join(Report, Report.id == EvidenceFile.report_id)
        .where(
            EvidenceFile.check_status == EvidenceCheck.PENDING.value,
            EvidenceFile.created_at < cutoff,
            Report.status != ReportStatus.RECEIVED.value,
        )
        .order_by(EvidenceFile.created_at)
    )
