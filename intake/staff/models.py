from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from intake.extensions import Model
from intake.privacy.sealing import SealedField
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
    email: Mapped[str] = mapped_column(String(320), unique=True)  # canonical: canonical_email()
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2), default="fr")
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_attempts: Mapped[int] = mapped_column(default=0)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The second factor (TOTP, RFC 6238): the secret sealed to this account, when it was enrolled,
    # and the last time step accepted, so that a code is never accepted twice (ASVS 2.8.4).
    totp_secret_sealed: Mapped[str | None] = mapped_column("totp_secret", Text)
    totp_secret = SealedField("totp_secret_sealed", "staff.totp_secret", lambda staff: staff.id)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(BigId)
    # A demo account made by `flask demo seed` (intake.demo), removed by `flask demo clear`.
    demo: Mapped[bool] = mapped_column(default=False, server_default=false())

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
    # When this session last proved the second factor; None while only the password was given.
    second_factor_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_staff_sessions_staff", "staff_id", "revoked_at"),)


class RecoveryCode(Model):
    """One of the ten single-use codes given at enrolment (ASVS 2.6): only a salted hash is kept."""

    __tablename__ = "staff_recovery_codes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    salt: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
