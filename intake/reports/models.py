from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from intake.extensions import Model
from intake.privacy.sealing import SealedField, SealedRow, seal_id_of
from intake.types import BigId, UTCDateTime, utcnow


class ReportStatus(StrEnum):
    RECEIVED = "received"
    TRIAGED = "triaged"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    NEEDS_INFO = "needs_info"
    REFERRED = "referred"
    RESOLVED = "resolved"
    REJECTED = "rejected"


class Priority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}
UNTRIAGED_RANK = 4
CLOSED_STATUSES = (ReportStatus.REFERRED, ReportStatus.RESOLVED, ReportStatus.REJECTED)
OPEN_STATUSES = tuple(s for s in ReportStatus if s not in CLOSED_STATUSES)
OPEN_STATUSES_SQL = "status IN (" + ", ".join(f"'{s.value}'" for s in OPEN_STATUSES) + ")"


class Channel(StrEnum):
    WEB = "web"
    API = "api"


class SuspectKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    URL = "url"
    USERNAME = "username"
    IBAN = "iban"
    CRYPTO_WALLET = "crypto_wallet"
    OTHER = "other"


class ActorKind(StrEnum):
    """Who changed a case: the citizen (their answer), the triage worker, or a member of staff."""

    CITIZEN = "citizen"
    TRIAGE = "triage"
    STAFF = "staff"


class CaseEventKind(StrEnum):
    STATUS = "status"  # the status moved
    MESSAGE = "message"  # an officer wrote to the citizen
    ASSIGNMENT = "assignment"  # the report changed hands and kept its status


class EvidenceCheck(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


def _one_of(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Report(Model):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    receipt_hash: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(40))
    incident_date: Mapped[date] = mapped_column(Date)
    # Personal data are sealed (intake.privacy.sealing): the column holds `k2:<ciphertext>`, bound to
    # the report's reference; the attribute without `_sealed` reads and writes the clear text.
    description_sealed: Mapped[str | None] = mapped_column("description", Text)
    description = SealedField("description_sealed", "reports.description", lambda r: r.reference)
    region: Mapped[str | None] = mapped_column(String(40))
    loss_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    loss_currency: Mapped[str | None] = mapped_column(String(3))
    language: Mapped[str] = mapped_column(String(3))  # ar, fr, en, zgh
    channel: Mapped[str] = mapped_column(String(8))
    anonymous: Mapped[bool] = mapped_column(default=False)
    reporter_name_sealed: Mapped[str | None] = mapped_column("reporter_name", Text)
    reporter_email_sealed: Mapped[str | None] = mapped_column("reporter_email", Text)
    reporter_phone_sealed: Mapped[str | None] = mapped_column("reporter_phone", Text)
    reporter_name = SealedField("reporter_name_sealed", "reports.reporter_name", lambda r: r.reference)
    reporter_email = SealedField("reporter_email_sealed", "reports.reporter_email", lambda r: r.reference)
    reporter_phone = SealedField("reporter_phone_sealed", "reports.reporter_phone", lambda r: r.reference)
    # Blind indexes of the reporter's contact (intake.privacy.blind): probable duplicates match on them.
    reporter_email_index: Mapped[str | None] = mapped_column(String(64))
    reporter_phone_index: Mapped[str | None] = mapped_column(String(64))
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default=ReportStatus.RECEIVED.value)
    priority: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    # The queue's sort key: 0 urgent … 3 low, 4 until triage has decided (see PRIORITY_RANK).
    priority_rank: Mapped[int] = mapped_column(default=UNTRIAGED_RANK, server_default=str(UNTRIAGED_RANK))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    # Set when the citizen answers an officer's question; cleared when an officer acts on the case.
    citizen_replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by triage when the same contact sent a near-identical report shortly before; never deleted.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    # When the case last changed (its last case event): retention counts from it.
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the personal data were erased (retention, or the citizen's request); the codes,
    # dates and status stay, so that counts never change. `erasure_cause` says which.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erasure_cause: Mapped[str | None] = mapped_column(String(20))
    # "Tell me when there is news" (intake.notifications), by e-mail and by SMS; off by default.
    notify_email: Mapped[bool] = mapped_column(default=False, server_default=false())
    notify_sms: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Made up by `flask demo seed` (intake.demo): shown as such to officers, removed by `flask demo clear`.
    demo: Mapped[bool] = mapped_column(default=False, server_default=false())

    suspects: Mapped[list[SuspectIdentifier]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="SuspectIdentifier.id"
    )
    evidence: Mapped[list[EvidenceFile]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="EvidenceFile.id"
    )
    history: Mapped[list[StatusChange]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="StatusChange.id"
    )
    messages: Mapped[list[ReportMessage]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportMessage.id"
    )

    __table_args__ = (
        CheckConstraint(_one_of("status", ReportStatus), name="status"),
        CheckConstraint(f"priority IS NULL OR {_one_of('priority', Priority)}", name="priority"),
        CheckConstraint(_one_of("channel", Channel), name="channel"),
        CheckConstraint("loss_amount IS NULL OR loss_amount >= 0", name="loss_amount_not_negative"),
        # The officers' queue: open reports by status, then priority, then age.
        Index("ix_reports_queue", "status", "priority", "created_at"),
        # Monthly counts scan a date range and group by these columns.
        Index("ix_reports_monthly", "created_at", "category", "region", "status"),
        # The officers' queue: open reports, most urgent first, then oldest; keyset pagination walks
        # this index, so page 1 and page 1,000 cost the same.
        Index(
            "ix_reports_open_queue",
            "priority_rank",
            "created_at",
            "id",
            postgresql_where=text(OPEN_STATUSES_SQL),
            sqlite_where=text(OPEN_STATUSES_SQL),
        ),
        # The same queue by age, oldest or newest first (read backwards): keyset pages on it too.
        Index(
            "ix_reports_open_age",
            "created_at",
            "id",
            postgresql_where=text(OPEN_STATUSES_SQL),
            sqlite_where=text(OPEN_STATUSES_SQL),
        ),
        # Retention: closed reports not yet erased, by status and last change.
        Index(
            "ix_reports_retention",
            "status",
            "last_event_at",
            postgresql_where=text("erased_at IS NULL"),
            sqlite_where=text("erased_at IS NULL"),
        ),
        # Probable duplicates: the same contact within 24 hours.
        Index("ix_reports_reporter_email", "reporter_email_index", "created_at"),
        Index("ix_reports_reporter_phone", "reporter_phone_index", "created_at"),
        # The demo reports (`flask demo …`, the dashboard's warning): found without a scan, and none
        # is there in a real deployment.
        Index("ix_reports_demo", "id", postgresql_where=text("demo"), sqlite_where=text("demo")),
        # Deleting reports (`flask demo clear`): each one's duplicates are looked up (ON DELETE SET
        # NULL), which without an index scans the whole table once per deleted report.
        Index(
            "ix_reports_duplicate_of",
            "duplicate_of_id",
            postgresql_where=text("duplicate_of_id IS NOT NULL"),
            sqlite_where=text("duplicate_of_id IS NOT NULL"),
        ),
    )


class SuspectIdentifier(SealedRow, Model):
    """An identifier the citizen gave for the suspect, kept as typed and in a matchable form (both
    sealed), and as a blind index that matching reads."""

    __tablename__ = "suspect_identifiers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    value_sealed: Mapped[str] = mapped_column("value", Text)
    normalised_sealed: Mapped[str] = mapped_column("normalised", Text)
    value = SealedField("value_sealed", "suspect_identifiers.value", seal_id_of)
    normalised = SealedField("normalised_sealed", "suspect_identifiers.normalised", seal_id_of)
    blind_index: Mapped[str] = mapped_column(String(64))

    report: Mapped[Report] = relationship(back_populates="suspects")

    __table_args__ = (
        CheckConstraint(_one_of("kind", SuspectKind), name="kind"),
        Index("ix_suspect_identifiers_match", "kind", "blind_index"),
    )


class EvidenceFile(SealedRow, Model):
    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    original_name_sealed: Mapped[str] = mapped_column("original_name", Text)
    original_name = SealedField("original_name_sealed", "evidence_files.original_name", seal_id_of)
    # The file itself is encrypted on disk (intake.privacy.files), bound to this name and seal_id.
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    size: Mapped[int] = mapped_column(BigId)
    media_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Set by the evidence check in the worker: the type seen again from the content, and a preview
    # for officers (images only, re-encoded without metadata); the original is never modified.
    check_status: Mapped[str] = mapped_column(
        String(10), default=EvidenceCheck.PENDING.value, server_default=EvidenceCheck.PENDING.value
    )
    rejection_reason: Mapped[str | None] = mapped_column(String(200))
    preview_name: Mapped[str | None] = mapped_column(String(80))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # PDFs: the active-content names found (`JavaScript,OpenAction`), shown as a warning to officers.
    active_content: Mapped[str | None] = mapped_column(String(100))

    report: Mapped[Report] = relationship(back_populates="evidence")

    __table_args__ = (
        CheckConstraint(_one_of("check_status", EvidenceCheck), name="check_status"),
        # The reconciler looks for checks still pending long after the report was triaged.
        Index("ix_evidence_files_check", "check_status", "created_at"),
    )


def _actor_columns_check() -> CheckConstraint:
    """A staff actor names the member of staff; the citizen and triage name nobody."""
    return CheckConstraint(
        f"({_one_of('actor_kind', ActorKind)}) AND ((actor_kind = 'staff') = (actor_staff_id IS NOT NULL))",
        name="actor",
    )


class StatusChange(SealedRow, Model):
    """One step of a report's history; the public note is shown to the citizen. Written only by
    intake.reports.status, the owner of every status change."""

    __tablename__ = "status_history"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(10))
    # No ON DELETE action: staff accounts are disabled, never deleted from under their history.
    actor_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    public_note_sealed: Mapped[str | None] = mapped_column("public_note", Text)
    public_note = SealedField("public_note_sealed", "status_history.public_note", seal_id_of)

    report: Mapped[Report] = relationship(back_populates="history")

    __table_args__ = (
        _actor_columns_check(),
        Index("ix_status_history_report", "report_id", "changed_at"),
    )


class CaseEvent(Model):
    """Something happened to a case (a status change, a message to the citizen, a new assignee):
    the one hook for what follows a change (notifications now; retention and statistics later).

    Recorded by intake.reports.status in the transaction of the change; dispatched to the handlers
    that want it by a job through the outbox (`dispatched_at` is set once that is done, or at once
    when no handler wants the event)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    actor_kind: Mapped[str] = mapped_column(String(10))
    actor_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint(_one_of("kind", CaseEventKind), name="kind"),
        _actor_columns_check(),
        Index("ix_case_events_report", "report_id", "id"),
        # The reconciler looks for events still waiting for their handlers.
        Index(
            "ix_case_events_undispatched",
            "at",
            postgresql_where=text("dispatched_at IS NULL"),
            sqlite_where=text("dispatched_at IS NULL"),
        ),
    )


class ReportMessage(SealedRow, Model):
    """A public message on a report: an officer's question or news, or the citizen's answer."""

    __tablename__ = "report_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    author: Mapped[str] = mapped_column(String(10))
    body_sealed: Mapped[str] = mapped_column("body", Text)
    body = SealedField("body_sealed", "report_messages.body", seal_id_of)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[Report] = relationship(back_populates="messages")

    __table_args__ = (
        CheckConstraint("author IN ('officer', 'citizen')", name="author"),
        Index("ix_report_messages_report", "report_id", "created_at"),
    )


class ReceiptSlip(Model):
    """A receipt on its way from the filing POST to the confirmation page, shown once then deleted.

    Only the receipt XOR a random pad is stored here; the pad travels in the citizen's session
    cookie. Neither half alone reveals the receipt, and a replayed cookie finds no row.
    """

    __tablename__ = "receipt_slips"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
