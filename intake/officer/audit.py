"""The audit log: append-only, one row per view or change of a case (ASVS 7.1.1, 7.1.2)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from intake.extensions import db
from intake.officer.models import AuditEvent

# Never logged, whatever a caller passes: secrets and what could reveal them (ASVS 7.1.1).
_FORBIDDEN_KEYS = frozenset({"password", "receipt", "token", "receipt_hash", "password_hash"})


def record(action: str, staff_id: int | None, report_id: int | None, ip: str | None, **details: Any) -> None:
    """Add an event to the current transaction: it commits with the change it describes."""
    clean = {key: value for key, value in details.items() if key not in _FORBIDDEN_KEYS}
    db.session.add(
        AuditEvent(action=action, staff_id=staff_id, report_id=report_id, ip_address=ip, details=clean)
    )


def trail(report_id: int, limit: int = 500, before_id: int | None = None) -> list[AuditEvent]:
    """A case's events, newest first, a page at a time (keyset on the id)."""
    query = select(AuditEvent).where(AuditEvent.report_id == report_id)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return list(db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))
