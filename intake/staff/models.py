from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from intake.extensions import Model
from intake.types import BigId, UTCDateTime, utcnow


class Role(StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


ALL_STAFF = (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)
# Who may assign reports to others, reopen closed ones and read a case's audit trail.
SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)


def is_supervisor(role: str) -> bool:
    return role in SUPERVISORS


class Staff(Model):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-cased
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2), default="fr")
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_attempts: Mapped[int] = mapped_column(default=0)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("role IN ('officer', 'supervisor', 'admin')", name="role"),
        CheckConstraint("language IN ('ar', 'fr')", name="language"),
    )


class StaffSession(Model):
    """A login, server side: the cookie holds only a random token whose hash is the key here, so a
    logout or a disabled account ends the session at once, even for a copied cookie."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip_address: Mapped[str | None] = mapped_column(String(45))

    __table_args__ = (Index("ix_staff_sessions_staff", "staff_id", "revoked_at"),)
