"""The second factor of staff logins: TOTP (RFC 6238, pyotp) and ten single-use recovery codes.

The secret is sealed to the account (intake.privacy.sealing); a code is accepted once (the last time
step used is kept, ASVS 2.8.4) and one step either side of now (a phone's clock drifts); recovery
codes are 79 random bits each, kept as salted SHA-256 hashes (ASVS 2.6.2) and shown only once.
Nothing here commits: the request that called it does.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta
from typing import Any, cast

import pyotp
import segno
from sqlalchemy import CursorResult, delete, or_, select, update

from intake.extensions import db
from intake.officer.audit import record
from intake.staff.models import RecoveryCode, Staff
from intake.text import ascii_digits
from intake.types import utcnow

ISSUER = "Blagh"
RECOVERY_CODES = 10
# Exports and account changes ask for a fresh code when the last one is older than this.
FRESH_FOR = timedelta(minutes=15)
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud, typed by hand
_TOTP_CODE = re.compile(r"[0-9]{6}")


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits


def is_secret(text: object) -> bool:
    return isinstance(text, str) and re.fullmatch(r"[A-Z2-7]{32}", text) is not None


def grouped(secret: str) -> str:
    """`ABCD EFGH …`: the secret as a person types it into an authenticator app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_qr_svg(staff: Staff, secret: str) -> str:
    """The otpauth:// address as an inline SVG QR code (no script, no image request)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=staff.email, issuer_name=ISSUER)
    svg: str = segno.make(uri, error="m").svg_inline(scale=4, title=ISSUER)
    return svg


def _accepted_step(secret: str, code: str, last_step: int | None, now: datetime) -> int | None:
    """The time step the code belongs to, if it is valid now and later than the last one used."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _canonical_code(typed: str) -> str:
    return re.sub(r"[\s\-]", "", ascii_digits(typed)).lower()


def _recovery_hash(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def new_recovery_codes(staff: Staff) -> list[str]:
    """Ten new codes (the old ones stop working), to be shown once: `abcd-efgh-jkmn-pqrs`."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.staff_id == staff.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        code = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
        salt = secrets.token_hex(16)
        db.session.add(RecoveryCode(staff_id=staff.id, salt=salt, code_hash=_recovery_hash(salt, code)))
        codes.append("-".join(code[i : i + 4] for i in range(0, 16, 4)))
    return codes


def _spend(statement: Any) -> bool:
    """A conditional UPDATE that only one of two concurrent requests can win (ASVS 2.8.4)."""
    done = db.session.execute(statement.execution_options(synchronize_session=False))
    return cast("CursorResult[Any]", done).rowcount == 1


def _use_recovery_code(staff: Staff, typed: str) -> bool:
    code = _canonical_code(typed)
    if len(code) != 16:
        return False
    unused = db.session.execute(
        select(RecoveryCode.id, RecoveryCode.salt, RecoveryCode.code_hash).where(
            RecoveryCode.staff_id == staff.id, RecoveryCode.used_at.is_(None)
        )
    ).all()
    for row_id, salt, code_hash in unused:
        if hmac.compare_digest(code_hash, _recovery_hash(salt, code)):
            return _spend(
                update(RecoveryCode)
                .where(RecoveryCode.id == row_id, RecoveryCode.used_at.is_(None))
                .values(used_at=utcnow())
            )
    return False


def _use_step(staff: Staff, step: int) -> bool:
    """The time step is spent, if no request spent it (or a later one) first."""
    return _spend(
        update(Staff)
        .where(Staff.id == staff.id, or_(Staff.totp_last_step.is_(None), Staff.totp_last_step < step))
        .values(totp_last_step=step)
    )


def confirm_enrolment(staff: Staff, secret: str, typed: str, ip: str | None) -> list[str] | None:
    """The first code from the app for `secret` (the key this session's enrolment page showed): the
    second factor is on, and ten recovery codes are returned, to be shown once. None when the code
    is wrong, or when the account enrolled meanwhile (from another session)."""
    code = _canonical_code(typed)
    step = _accepted_step(secret, code, None, utcnow()) if _TOTP_CODE.fullmatch(code) else None
    if step is None:
        record("second_factor_failed", staff.id, None, ip)
        return None
    enrolled = _spend(
        update(Staff)
        .where(Staff.id == staff.id, Staff.totp_enabled_at.is_(None))
        .values(totp_last_step=step, totp_enabled_at=utcnow())
    )
    if not enrolled:
        return None
    db.session.refresh(staff)
    staff.totp_secret = secret
    record("second_factor_enrolled", staff.id, None, ip)
    return new_recovery_codes(staff)


def verify(staff: Staff, typed: str, ip: str | None) -> bool:
    """A code from the app, or a recovery code (used up); every failure is audited."""
    code = _canonical_code(typed)
    if staff.totp_secret is not None and staff.totp_enabled_at is not None and _TOTP_CODE.fullmatch(code):
        step = _accepted_step(staff.totp_secret, code, staff.totp_last_step, utcnow())
        if step is not None and _use_step(staff, step):
            return True
    elif staff.totp_enabled_at is not None and _use_recovery_code(staff, typed):
        record("recovery_code_used", staff.id, None, ip)
        return True
    record("second_factor_failed", staff.id, None, ip)
    return False


def reset(staff: Staff, actor_id: int | None, ip: str | None) -> None:
    """An admin's reset (a lost phone): the secret and the recovery codes go; the account enrols
    again at its next login. The caller ends the account's sessions."""
    staff.totp_secret = None
    staff.totp_enabled_at = None
    staff.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.staff_id == staff.id))
    record("second_factor_reset", actor_id, None, ip, account=staff.id)


def is_fresh(proved_at: datetime | None, now: datetime | None = None) -> bool:
    return proved_at is not None and (now or utcnow()) - proved_at <= FRESH_FOR
