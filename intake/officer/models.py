"""What case work writes besides the report: internal notes and the append-only audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from intake.extensions import Model
from intake.privacy.sealing import SealedField, SealedRow, seal_id_of
from intake.types import BigId, UTCDateTime, utcnow


class CaseNote(SealedRow, Model):
    """An internal note: staff only, never shown to the citizen."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    body_sealed: Mapped[str] = mapped_column("body", Text)
    body = SealedField("body_sealed", "case_notes.body", seal_id_of)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_case_notes_report", "report_id", "id"),)


class AuditEvent(Model):
    """Who viewed or changed what, from where, when (UTC). Written once, never updated or deleted by
    the application; never holds a receipt or a password."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # No ON DELETE action: an audited account or report cannot be deleted under its audit trail.
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(String(40))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (
        Index("ix_audit_events_report", "report_id", "id"),
        Index("ix_audit_events_staff", "staff_id", "id"),
    )
