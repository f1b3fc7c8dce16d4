"""What retention and erasure keep track of: legal holds placed by supervisors, and citizens'
requests to erase their personal data (with the officer's decision)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from intake.extensions import Model
from intake.privacy.sealing import SealedField, SealedRow, seal_id_of
from intake.types import BigId, UTCDateTime, utcnow


class ErasureDecision(StrEnum):
    ERASED = "erased"
    REFUSED = "refused"


class RefusalReason(StrEnum):
    """Why a citizen's request to erase is refused, each said to them in plain words."""

    INVESTIGATION = "investigation"  # an investigation needs the report
    LEGAL_OBLIGATION = "legal_obligation"  # the law requires keeping it for now


class LegalHold(SealedRow, Model):
    """A supervisor's hold on a case: its personal data are not erased, by retention or on request,
    until the hold is lifted. The reason is sealed (it may name people)."""

    __tablename__ = "legal_holds"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    placed_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    reason_sealed: Mapped[str | None] = mapped_column("reason", Text)
    reason = SealedField("reason_sealed", "legal_holds.reason", seal_id_of)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    __table_args__ = (
        # at most one hold in force per case; retention looks for it
        Index(
            "uq_legal_holds_active",
            "report_id",
            unique=True,
            postgresql_where=text("lifted_at IS NULL"),
            sqlite_where=text("lifted_at IS NULL"),
        ),
        Index("ix_legal_holds_report", "report_id", "id"),
    )


class ErasureRequest(SealedRow, Model):
    """A citizen asked, with their reference and secret code, for their personal data to be erased;
    an officer erases them or refuses, saying why (the citizen reads it on the tracking page)."""

    __tablename__ = "erasure_requests"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decision: Mapped[str | None] = mapped_column(String(10))
    refusal: Mapped[str | None] = mapped_column(String(20))
    # an optional word from the officer for the citizen, sealed
    note_sealed: Mapped[str | None] = mapped_column("note", Text)
    note = SealedField("note_sealed", "erasure_requests.note", seal_id_of)

    __table_args__ = (
        CheckConstraint("decision IS NULL OR decision IN ('erased', 'refused')", name="decision"),
        CheckConstraint(
            "refusal IS NULL OR refusal IN ('investigation', 'legal_obligation')", name="refusal"
        ),
        Index(
            "uq_erasure_requests_pending",
            "report_id",
            unique=True,
            postgresql_where=text("decided_at IS NULL"),
            sqlite_where=text("decided_at IS NULL"),
        ),
        Index("ix_erasure_requests_report", "report_id", "id"),
    )


class DiscardedFile(Model):
    """An evidence file (or preview) whose row went with an erasure, waiting for the `file_deletion`
    job to delete it for real: queued in the erasure's transaction, so no file is ever left behind."""

    __tablename__ = "discarded_files"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    stored_name: Mapped[str] = mapped_column(String(80))
    discarded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_discarded_files_discarded", "discarded_at"),)


BLIND_INDEX_CHECK = "blind_index"


class KeyCheck(Model):
    """A key's fingerprint (intake.privacy.blind.key_fingerprint), so that a process started with
    another key refuses to work instead of failing silently."""

    __tablename__ = "key_checks"

    purpose: Mapped[str] = mapped_column(String(40), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
