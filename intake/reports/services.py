"""Filing a report and looking it up by receipt: plain functions, no request objects."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from intake.extensions import db
from intake.outbox.services import enqueue, relay_after_commit
from intake.reports.evidence import EvidenceStore, StoredFile, detect_media_type
from intake.reports.forms import ReportForm
from intake.reports.models import (
    EvidenceFile,
    Report,
    ReportStatus,
    StatusChange,
    SuspectIdentifier,
)
from intake.reports.receipts import hash_receipt, new_receipt, new_reference, receipt_matches
from intake.types import utcnow

log = logging.getLogger(__name__)
TRIAGE_TASK = "triage.triage_report"
_REFERENCE_ATTEMPTS = 5


@dataclass(frozen=True)
class FiledReport:
    report_id: int
    reference: str
    receipt: str
    status: str
    category: str


def _build_report(form: ReportForm, language: str, channel: str, reference: str, receipt: str) -> Report:
    anonymous = bool(form.anonymous.data)
    now = utcnow()
    report = Report(
        reference=reference,
        receipt_hash=hash_receipt(receipt),
        category=form.category.data,
        incident_date=form.incident_date.data,
        description=form.description.data,
        region=form.region.data or None,
        loss_amount=form.loss_amount.data,
        loss_currency=form.loss_currency.data if form.loss_amount.data is not None else None,
        language=language,
        channel=channel,
        anonymous=anonymous,
        reporter_name=None if anonymous else form.reporter_name.data or None,
        reporter_email=None if anonymous else form.reporter_email_normalised,
        reporter_phone=None if anonymous else form.reporter_phone_normalised,
        consented_at=now,
        status=ReportStatus.RECEIVED.value,
        created_at=now,
        updated_at=now,
    )
    report.suspects = [
        SuspectIdentifier(kind=row.kind.data, value=row.value.data, normalised=row.normalised or "")
        for row in form.filled_suspects()
    ]
    report.history = [
        StatusChange(
            from_status=None, to_status=ReportStatus.RECEIVED.value, changed_at=now, changed_by="citizen"
        )
    ]
    return report


def _store_evidence(form: ReportForm, store: EvidenceStore) -> list[tuple[str, str, StoredFile]]:
    stored: list[tuple[str, str, StoredFile]] = []
    try:
        for upload in form.uploaded_files():
            media_type = detect_media_type(upload.stream) or "application/octet-stream"
            original_name = (upload.filename or "file")[-255:]
            stored.append((original_name, media_type, store.save(upload.stream)))
    except BaseException:
        for _, _, item in stored:
            store.delete(item.stored_name)
        raise
    return stored


def file_report(form: ReportForm, *, language: str, channel: str, store: EvidenceStore) -> FiledReport:
    """Commit a validated report, its identifiers, its evidence and its triage job in one transaction.

    Evidence files are written first and removed if the commit fails, so that no row points at a
    missing file and no file outlives a report that was never accepted.
    """
    stored = _store_evidence(form, store)
    try:
        for _attempt in range(_REFERENCE_ATTEMPTS):
            receipt = new_receipt()
            report = _build_report(form, language, channel, new_reference(), receipt)
            report.evidence = [
                EvidenceFile(
                    original_name=name,
                    stored_name=item.stored_name,
                    size=item.size,
                    media_type=media_type,
                    sha256=item.sha256,
                )
                for name, media_type, item in stored
            ]
            db.session.add(report)
            try:
                db.session.flush()
            except IntegrityError:
                db.session.rollback()  # a reference collision: about one in 10^11, draw again
                continue
            job = enqueue(TRIAGE_TASK, report.id)
            db.session.commit()
            break
        else:
            raise RuntimeError("could not draw a unique reference")
    except BaseException:
        db.session.rollback()
        for _, _, item in stored:
            store.delete(item.stored_name)
        raise
    filed = FiledReport(report.id, report.reference, receipt, report.status, report.category)
    log.info("report filed: id=%s channel=%s category=%s", report.id, channel, report.category)
    relay_after_commit([job.id])
    return filed


@dataclass(frozen=True)
class HistoryEntry:
    status: str
    at: datetime
    note: str | None


@dataclass(frozen=True)
class MessageEntry:
    author: str
    body: str
    at: datetime


@dataclass(frozen=True)
class TrackedReport:
    reference: str
    status: str
    category: str
    created_at: datetime
    history: list[HistoryEntry] = field(default_factory=list)
    messages: list[MessageEntry] = field(default_factory=list)


def lookup_by_receipt(reference: str, receipt: str) -> TrackedReport | None:
    """The citizen's view of a report, or None: an unknown reference and a wrong receipt look alike."""
    report = db.session.scalar(
        select(Report)
        .where(Report.reference == reference)
        .options(selectinload(Report.history), selectinload(Report.messages))
    )
    if not receipt_matches(receipt, report.receipt_hash if report else None) or report is None:
        return None
    return TrackedReport(
        reference=report.reference,
        status=report.status,
        category=report.category,
        created_at=report.created_at,
        history=[HistoryEntry(h.to_status, h.changed_at, h.public_note) for h in report.history],
        messages=[MessageEntry(m.author, m.body, m.created_at) for m in report.messages],
    )
