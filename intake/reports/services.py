"""Filing a report and looking it up by receipt: plain functions, no request objects."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from intake.extensions import db
from intake.outbox.services import publish_after_commit, take_ready_jobs
from intake.privacy.blind import blind_index, suspect_index
from intake.privacy.requests import latest_request, request_erasure
from intake.privacy.sealing import new_seal_id
from intake.reports.confirmations import SlipTicket, hold_receipt
from intake.reports.evidence import EvidenceStore, StoreUnavailable, safe_file_name
from intake.reports.models import (
    CaseEvent,
    EvidenceFile,
    Report,
    ReportMessage,
    ReportStatus,
    StatusChange,
    SuspectIdentifier,
)
from intake.reports.receipts import hash_receipt, new_receipt, new_reference, receipt_matches
from intake.reports.status import Actor, StatusConflict, move, record_filing
from intake.reports.submission import ReportSubmission
from intake.reports.uploads import CheckedUpload
from intake.taxonomy import CATEGORY_BY_CODE
from intake.triage.services import queue_evidence_check, queue_triage
from intake.types import table_of, utcnow

log = logging.getLogger(__name__)
_REFERENCE_ATTEMPTS = 5
_REPORTS = table_of(Report)
_SUSPECTS = table_of(SuspectIdentifier)
_EVIDENCE = table_of(EvidenceFile)
_INSERT_REPORT = insert(_REPORTS).returning(_REPORTS.c.id)
_INSERT_SUSPECTS = insert(_SUSPECTS)
_INSERT_EVIDENCE = insert(_EVIDENCE)


@dataclass(frozen=True)
class FiledReport:
    report_id: int
    reference: str
    receipt: str
    status: str
    category: str
    slip: SlipTicket | None = None


def report_row(
    submission: ReportSubmission, language: str, channel: str, reference: str, receipt: str, now: datetime
) -> dict[str, Any]:
    """The report's columns; personal data sealed and bound to the reference, as the model seals them
    (also what the demo's bulk load writes, intake.demo.seed)."""
    email, phone = submission.reporter_email, submission.reporter_phone
    return {
        "reference": reference,
        "receipt_hash": hash_receipt(receipt),
        "category": submission.category,
        "incident_date": submission.incident_date,
        "description": Report.description.sealed(submission.description, reference),
        "region": submission.region,
        "loss_amount": submission.loss_amount,
        "loss_currency": submission.loss_currency,
        "language": language,
        "channel": channel,
        "anonymous": submission.anonymous,
        "reporter_name": Report.reporter_name.sealed(submission.reporter_name, reference),
        "reporter_email": Report.reporter_email.sealed(email, reference),
        "reporter_phone": Report.reporter_phone.sealed(phone, reference),
        "reporter_email_index": blind_index("reporter_email", email) if email else None,
        "reporter_phone_index": blind_index("reporter_phone", phone) if phone else None,
        "notify_email": submission.notify_email,
        "notify_sms": submission.notify_sms,
        "consented_at": now,
        "status": ReportStatus.RECEIVED.value,
        "created_at": now,
        "updated_at": now,
        "last_event_at": now,
    }


def suspect_rows(submission: ReportSubmission, report_id: int) -> list[dict[str, Any]]:
    rows = []
    for entry in submission.suspects:
        seal_id = new_seal_id()
        rows.append(
            {
                "report_id": report_id,
                "seal_id": seal_id,
                "kind": entry.kind,
                "value": SuspectIdentifier.value.sealed(entry.value, seal_id),
                "normalised": SuspectIdentifier.normalised.sealed(entry.normalised, seal_id),
                "blind_index": suspect_index(entry.kind, entry.normalised),
            }
        )
    return rows


def _evidence_rows(files: list[EvidenceFile], report_id: int) -> list[dict[str, Any]]:
    return [
        {
            "report_id": report_id,
            "seal_id": item.seal_id,  # the file is bound to it
            "original_name": item.original_name_sealed,
            "stored_name": item.stored_name,
            "size": item.size,
            "media_type": item.media_type,
            "sha256": item.sha256,
        }
        for item in files
    ]


def _store_evidence(uploads: tuple[CheckedUpload, ...], store: EvidenceStore) -> list[EvidenceFile]:
    """Write the originals; the rows that describe them are added to the report by the caller."""
    stored: list[EvidenceFile] = []
    try:
        for upload in uploads:
            seal_id = new_seal_id()  # the row's identity, which its file is bound to as well
            item = store.save(upload.stream, seal_id)
            stored.append(
                EvidenceFile(
                    seal_id=seal_id,
                    original_name=safe_file_name(upload.filename, upload.media_type),
                    stored_name=item.stored_name,
                    size=item.size,
                    media_type=upload.media_type,
                    sha256=item.sha256,
                )
            )
    except BaseException:
        _delete_files(store, stored)
        raise
    return stored


def _delete_files(store: EvidenceStore, files: list[EvidenceFile]) -> None:
    """Remove files whose report was not stored. A store that cannot be reached leaves them to the
    sweep of orphan objects (intake.storage.sweep), rather than hiding the error that got here."""
    for item in files:
        try:
            store.delete(item.stored_name)
        except StoreUnavailable:
            log.warning("an evidence file whose report was not stored is left for the sweep")


def _commit_keeping_evidence(
    proof: Select[Any], store: EvidenceStore | None, files: list[EvidenceFile]
) -> None:
    """COMMIT, then publish the unit's jobs. This service commits itself, unlike the others, because
    only it knows what to do when the COMMIT's outcome is unknown: the database may still have stored
    everything (the connection dropped after the server committed), and `proof` selects a row that
    only a successful commit writes. The evidence files are removed only when the database says
    nothing was stored; if it cannot say, they are kept, and the error goes on."""
    jobs = take_ready_jobs()
    try:
        db.session.commit()
    except BaseException:
        committed = _found(proof)
        if committed is False and store is not None:
            _delete_files(store, files)
        if not committed:
            raise
        log.warning("the commit raised, but what it wrote is stored")
    publish_after_commit(jobs)


def _found(proof: Select[Any]) -> bool | None:
    """True or False when the database can say whether `proof` finds a row, None when it cannot."""
    try:
        db.session.rollback()
        return db.session.scalar(proof) is not None
    except SQLAlchemyError:
        log.exception("could not check whether a commit went through")
        return None


def file_report(
    submission: ReportSubmission,
    *,
    language: str,
    channel: str,
    store: EvidenceStore,
    hold_receipt_for_confirmation: bool = False,
) -> FiledReport:
    """Commit a validated report, its identifiers, its evidence and its triage job in one transaction.

    Evidence files are written first and removed only when the report is known not to be stored, so
    that no row points at a missing file and no file outlives a report that was never accepted.
    With `hold_receipt_for_confirmation`, a one-time slip for the confirmation page commits with it.
    """
    stored = _store_evidence(submission.uploads, store)
    try:
        filed = _add_report(submission, language, channel, stored, hold_receipt_for_confirmation)
    except BaseException:
        db.session.rollback()
        _delete_files(store, stored)
        raise
    _commit_keeping_evidence(select(Report.id).where(Report.reference == filed.reference), store, stored)
    log.info("report filed: id=%s channel=%s category=%s", filed.report_id, channel, filed.category)
    return filed


def _add_report(
    submission: ReportSubmission, language: str, channel: str, stored: list[EvidenceFile], hold: bool
) -> FiledReport:
    """Write the report and its rows, its job and (if asked) its slip, by a few INSERT statements
    (identifiers and files in one each); everything returned is known before COMMIT, because
    afterwards a worker may already be changing the row."""
    now = utcnow()
    for _attempt in range(_REFERENCE_ATTEMPTS):
        receipt = new_receipt()
        row = report_row(submission, language, channel, new_reference(), receipt, now)
        try:
            report_id = db.session.execute(_INSERT_REPORT, row).scalar_one()
        except IntegrityError:
            db.session.rollback()
            if not _reference_taken(row["reference"]):
                raise  # some other constraint: not something a new reference would fix
            continue  # about one in 10^11: draw again
        if submission.suspects:
            db.session.execute(_INSERT_SUSPECTS, suspect_rows(submission, report_id))
        if stored:
            db.session.execute(_INSERT_EVIDENCE, _evidence_rows(stored, report_id))
        record_filing(report_id, now)
        queue_triage(report_id)
        slip = hold_receipt(receipt) if hold else None
        return FiledReport(report_id, row["reference"], receipt, row["status"], row["category"], slip)
    raise RuntimeError("could not draw a unique reference")


def _reference_taken(reference: str) -> bool:
    return db.session.scalar(select(Report.id).where(Report.reference == reference)) is not None


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
class ErasureState:
    """The citizen's latest request to erase, as they may read it."""

    requested_at: datetime
    decision: str | None  # None while an officer has not decided
    refusal: str | None
    note: str | None


@dataclass(frozen=True)
class TrackedReport:
    reference: str
    status: str
    category: str
    created_at: datetime
    history: list[HistoryEntry] = field(default_factory=list)
    messages: list[MessageEntry] = field(default_factory=list)
    erased_at: datetime | None = None
    erasure_cause: str | None = None
    erasure: ErasureState | None = None


def lookup_by_receipt(reference: str, receipt: str) -> TrackedReport | None:
    """The citizen's view of a report, or None: an unknown reference and a wrong receipt look alike.

    The receipt is checked on the bare row first, so a wrong receipt costs the same as an unknown
    reference; the history and messages are loaded only for the report's owner.
    """
    row = db.session.execute(
        select(
            Report.id,
            Report.receipt_hash,
            Report.status,
            Report.category,
            Report.created_at,
            Report.erased_at,
            Report.erasure_cause,
        ).where(Report.reference == reference)
    ).one_or_none()
    if not receipt_matches(receipt, row.receipt_hash if row else None) or row is None:
        return None
    request = latest_request(row.id)
    history = db.session.scalars(
        select(StatusChange).where(StatusChange.report_id == row.id).order_by(StatusChange.id)
    )
    messages = db.session.scalars(
        select(ReportMessage).where(ReportMessage.report_id == row.id).order_by(ReportMessage.id)
    )
    return TrackedReport(
        reference=reference,
        status=row.status,
        category=row.category,
        created_at=row.created_at,
        history=[HistoryEntry(h.to_status, h.changed_at, h.public_note) for h in history],
        messages=[MessageEntry(m.author, m.body, m.created_at) for m in messages],
        erased_at=row.erased_at,
        erasure_cause=row.erasure_cause,
        erasure=ErasureState(request.requested_at, request.decision, request.refusal, request.note)
        if request is not None
        else None,
    )


class ErasureOutcome(StrEnum):
    ASKED = "asked"
    NOT_FOUND = "not_found"  # wrong code or reference: the same answer for both
    NOTHING_TO_ASK = "nothing_to_ask"  # already erased, or a request is waiting for an officer


def ask_for_erasure(reference: str, receipt: str) -> ErasureOutcome:
    """The citizen asks, with their code, for their personal data to be erased; an officer decides."""
    row = db.session.execute(
        select(Report.id, Report.receipt_hash).where(Report.reference == reference)
    ).one_or_none()
    if not receipt_matches(receipt, row.receipt_hash if row else None) or row is None:
        return ErasureOutcome.NOT_FOUND
    report = db.session.get(Report, row.id)
    if report is None or request_erasure(report) is None:
        return ErasureOutcome.NOTHING_TO_ASK
    return ErasureOutcome.ASKED


class AnswerRefused(Exception):
    """Files sent for a category that takes none (child sexual exploitation: links only)."""


class AnswerOutcome(StrEnum):
    SENT = "sent"
    NOT_FOUND = "not_found"  # wrong code or reference: the same answer for both
    NOT_WAITING = "not_waiting"  # the right code, but no question is waiting (answered, or closed)


def citizen_answer(
    reference: str,
    receipt: str,
    body: str,
    uploads: tuple[CheckedUpload, ...] = (),
    store: EvidenceStore | None = None,
) -> AnswerOutcome:
    """The citizen answers an officer's question: the answer and its files are kept and the report
    goes back to `in_progress` (through the status owner), marked so that it stands out in the queue."""
    row = db.session.execute(
        select(Report.id, Report.receipt_hash).where(Report.reference == reference)
    ).one_or_none()
    if not receipt_matches(receipt, row.receipt_hash if row else None) or row is None:
        return AnswerOutcome.NOT_FOUND
    report = db.session.get(Report, row.id)
    if report is None or report.status != ReportStatus.NEEDS_INFO.value or report.erased_at is not None:
        return AnswerOutcome.NOT_WAITING  # an erased case waits for nothing any more
    category = CATEGORY_BY_CODE.get(report.category)
    if uploads and category is not None and not category.evidence_allowed:
        raise AnswerRefused()
    stored = _store_evidence(uploads, store) if uploads and store is not None else []
    try:
        event = _add_answer(report, body, stored)
    except BaseException:
        db.session.rollback()
        if store is not None:
            _delete_files(store, stored)
        raise
    if event is None:  # an officer moved the report at the same moment
        if store is not None:
            _delete_files(store, stored)
        return AnswerOutcome.NOT_WAITING
    _commit_keeping_evidence(select(CaseEvent.id).where(CaseEvent.id == event.id), store, stored)
    return AnswerOutcome.SENT


def _add_answer(report: Report, body: str, files: list[EvidenceFile]) -> CaseEvent | None:
    """Flush the answer and queue its files' checks; None when the report no longer waits for one."""
    try:
        event = move(
            report,
            ReportStatus.IN_PROGRESS.value,
            Actor.citizen(),
            message=body,
            citizen_replied_at=utcnow(),
        )
    except StatusConflict:
        db.session.rollback()
        return None
    for item in files:
        item.report_id = report.id
        db.session.add(item)
    db.session.flush()
    for item in files:
        queue_evidence_check(item.id)
    db.session.flush()
    return event
