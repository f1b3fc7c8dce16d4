"""Staff accounts and logins: argon2id password hashes, throttling per account, server-side sessions.

No function here reads the request: views pass in what they know (an address, a token). No function
here commits: the request, or the command, that called it commits once (intake.unit_of_work), so a new
password and the end of the old sessions hold or fail together.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, update

from intake.extensions import db
from intake.officer.audit import record
from intake.staff import second_factor
from intake.staff.models import Role, Staff, StaffSession
from intake.staff.passwords import PASSWORD_MAX, PASSWORD_MIN, password_length_ok
from intake.types import utcnow

log = logging.getLogger(__name__)
hasher = PasswordHasher()  # argon2id with the library's current parameters (ASVS 2.4.1)
# Verified when the e-mail is unknown, so that both failures take the same time (ASVS 2.2.1).
_DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))
IDLE_TIMEOUT = timedelta(minutes=30)
_SEEN_GRANULARITY = timedelta(minutes=1)  # last_seen_at is written at most once a minute


class StaffError(ValueError):
    """A request about accounts that cannot be carried out. The message (English) is for the command
    line; `code` lets a page say it in the admin's language (intake.staff.admin.STAFF_ERRORS)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def canonical_email(email: str) -> str:
    """One form per mailbox, for login, limits and uniqueness alike: NFKC (full-width letters are
    the ASCII ones), case-folded, the domain in IDNA (`ACME.ma`, `ａｃｍｅ.ma` and `acme.ma` are one)."""
    text = unicodedata.normalize("NFKC", email).strip()
    try:
        valid = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        raise StaffError(f"not a valid e-mail address: {email!r}", "email") from error
    return f"{valid.local_part.casefold()}@{(valid.ascii_domain or valid.domain).lower()}"


def login_key(email: str) -> str:
    """What the per-account login limit counts under: the canonical e-mail, or, for text that is
    not one, the same folding (so that no variant of a string gets a fresh counter)."""
    try:
        return canonical_email(email)
    except StaffError:
        return unicodedata.normalize("NFKC", email).strip().casefold()[:320]


def check_password_rules(password: str) -> None:
    if not password_length_ok(password):
        raise StaffError(f"a password has {PASSWORD_MIN} to {PASSWORD_MAX} characters", "password")


def create_staff(
    email: str,
    name: str,
    role: str,
    password: str,
    language: str = "fr",
    actor_id: int | None = None,
    ip: str | None = None,
    temporary_password: bool = False,
) -> Staff:
    """A new account. Every account change is audited; `actor_id` is None from the command line.
    With `temporary_password`, the user must choose their own at first login."""
    if role not in {r.value for r in Role}:
        raise StaffError(f"role must be one of {', '.join(r.value for r in Role)}", "role")
    if language not in {"ar", "fr"}:
        raise StaffError("language must be ar or fr", "language")
    check_password_rules(password)
    address = canonical_email(email)
    if db.session.scalar(select(Staff.id).where(Staff.email == address)) is not None:
        raise StaffError(f"an account already exists for {address}", "exists")
    staff = Staff(
        email=address,
        name=name.strip() or address,
        role=role,
        language=language,
        password_hash=hasher.hash(password),
        must_change_password=temporary_password,
    )
    db.session.add(staff)
    db.session.flush()
    record("account_created", actor_id, None, ip, account=staff.id, role=role)
    return staff


def find_staff(email: str) -> Staff | None:
    return db.session.scalar(select(Staff).where(Staff.email == canonical_email(email)))


def list_staff() -> list[Staff]:
    return list(db.session.scalars(select(Staff).order_by(Staff.email)))


def set_password(email: str, password: str, actor_id: int | None = None) -> None:
    staff = find_staff(email)
    if staff is None:
        raise StaffError(f"no account for {email}", "missing")
    check_password_rules(password)
    staff.password_hash = hasher.hash(password)
    staff.failed_attempts = 0
    record("password_set", actor_id, None, None, account=staff.id)
    revoke_sessions(staff.id)  # a new password ends every open session


def disable_staff(email: str, actor_id: int | None = None, ip: str | None = None) -> None:
    staff = find_staff(email)
    if staff is None:
        raise StaffError(f"no account for {email}", "missing")
    staff.active = False
    record("account_disabled", actor_id, None, ip, account=staff.id)
    revoke_sessions(staff.id)


def authenticate(email: str, password: str) -> tuple[Staff | None, int | None]:
    """(the account, None), or (None, the id of the account tried, if there is one) for any
    failure: unknown, wrong password or disabled alike.

    Both failures do the same work (one argon2 verification, one UPDATE; the login view commits
    both), so timing does not tell whether an account exists (ASVS 2.2.1). Repeated failures are throttled per client
    address and per (address, account) by the login view, not by locking the account: a stranger
    must not be able to lock an officer out of their own desk."""
    try:
        address = canonical_email(email)
    except StaffError:
        address = ""
    staff = db.session.scalar(select(Staff).where(Staff.email == address)) if address else None
    if staff is None or not _verify(staff.password_hash, password) or not staff.active:
        if staff is None:
            _verify(_DUMMY_HASH, password)
        db.session.execute(
            update(Staff).where(Staff.email == address).values(failed_attempts=Staff.failed_attempts + 1)
        )
        return None, (staff.id if staff is not None else None)
    if hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = hasher.hash(password)
    staff.failed_attempts = 0
    staff.last_login_at = utcnow()
    return staff, None


def _verify(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(staff: Staff, ip_address: str | None, second_factor_at: datetime | None = None) -> str:
    """A new random token for a new login, and again once the second factor is proved (never
    reused, ASVS 3.2.1); only its hash is stored."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        StaffSession(
            token_hash=_token_hash(token),
            staff_id=staff.id,
            ip_address=ip_address,
            second_factor_at=second_factor_at,
        )
    )
    db.session.flush()
    return token


def prove_second_factor(token: str, staff_id: int, ip_address: str | None) -> str:
    """The session after a valid code: a first proof replaces the session (a new token: the one
    that knew only the password is ended); a later proof (before an export…) just renews it."""
    row = db.session.scalar(select(StaffSession).where(StaffSession.token_hash == _token_hash(token)))
    now = utcnow()
    if row is not None and row.second_factor_at is not None:
        row.second_factor_at = now
        return token
    end_session(token)
    staff = db.session.get(Staff, staff_id)
    if staff is None:
        raise StaffError("no such account", "missing")
    return start_session(staff, ip_address, second_factor_at=now)


@dataclass(frozen=True)
class SignedIn:
    staff_id: int
    email: str
    name: str
    role: str
    language: str
    token: str
    must_change_password: bool = False
    totp_enabled: bool = False
    second_factor_at: datetime | None = None  # when this session last proved the second factor


def session_staff(token: str, max_age: timedelta = timedelta(hours=12)) -> SignedIn | None:
    """Whose session this is, if it is still open: not logged out, not idle too long, not older than
    `max_age` however active (ASVS 3.3.2), account active."""
    now = utcnow()
    row = db.session.execute(
        select(StaffSession, Staff)
        .join(Staff, Staff.id == StaffSession.staff_id)
        .where(StaffSession.token_hash == _token_hash(token), StaffSession.revoked_at.is_(None))
    ).one_or_none()
    if row is None:
        return None
    session_row, staff = row
    if not staff.active or session_row.last_seen_at < now - IDLE_TIMEOUT:
        return None
    if session_row.created_at < now - max_age:
        return None
    if session_row.last_seen_at < now - _SEEN_GRANULARITY:
        session_row.last_seen_at = now  # committed with the request's unit of work
    return SignedIn(
        staff.id,
        staff.email,
        staff.name,
        staff.role,
        staff.language,
        token,
        staff.must_change_password,
        staff.totp_enabled_at is not None,
        session_row.second_factor_at,
    )


def end_session(token: str) -> None:
    db.session.execute(
        update(StaffSession)
        .where(StaffSession.token_hash == _token_hash(token), StaffSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_sessions(staff_id: int) -> None:
    db.session.execute(
        update(StaffSession)
        .where(StaffSession.staff_id == staff_id, StaffSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def active_staff() -> list[Staff]:
    return list(db.session.scalars(select(Staff).where(Staff.active.is_(True)).order_by(Staff.name)))


def staff_names() -> dict[int, str]:
    """Every account's display name by id (a few hundred rows at most), for histories and trails."""
    return {staff_id: name for staff_id, name in db.session.execute(select(Staff.id, Staff.name))}


def change_role(staff_id: int, role: str, actor_id: int, ip: str | None = None) -> None:
    staff = db.session.get(Staff, staff_id)
    if staff is None:
        raise StaffError("no such account", "missing")
    if role not in {r.value for r in Role}:
        raise StaffError("unknown role", "role")
    if staff_id == actor_id and role != Role.ADMIN.value:
        raise StaffError("an admin cannot take their own admin role away", "self")
    record("role_changed", actor_id, None, ip, account=staff.id, old=staff.role, new=role)
    staff.role = role
    revoke_sessions(staff.id)  # the new rights apply from the next login


def reset_password(staff_id: int, temporary: str, actor_id: int, ip: str | None = None) -> None:
    """A temporary password, to be replaced by the user at their next login; their sessions end."""
    staff = db.session.get(Staff, staff_id)
    if staff is None:
        raise StaffError("no such account", "missing")
    check_password_rules(temporary)
    staff.password_hash = hasher.hash(temporary)
    staff.must_change_password = True
    record("password_reset", actor_id, None, ip, account=staff.id)
    revoke_sessions(staff.id)


def change_own_password(staff_id: int, current: str, new: str, ip: str | None = None) -> bool:
    """The user's own change (after a reset): the current password is asked again (ASVS 2.1.5), the
    new one must differ, and every session opened with the old one ends (ASVS 3.3.3). A wrong
    current password is audited (the view throttles it and commits the record)."""
    staff = db.session.get(Staff, staff_id)
    if staff is None or not _verify(staff.password_hash, current):
        record("password_change_failed", staff_id, None, ip)
        return False
    check_password_rules(new)
    if new == current:
        raise StaffError("the new password must differ from the current one", "same")
    staff.password_hash = hasher.hash(new)
    staff.must_change_password = False
    record("password_changed", staff_id, None, ip)
    revoke_sessions(staff_id)
    return True


def reset_second_factor(staff_id: int, actor_id: int | None, ip: str | None = None) -> None:
    """A lost phone: the account enrols again at its next login; its sessions end now."""
    staff = db.session.get(Staff, staff_id)
    if staff is None:
        raise StaffError("no such account", "missing")
    second_factor.reset(staff, actor_id, ip)
    revoke_sessions(staff.id)


def disable_account(staff_id: int, actor_id: int, ip: str | None = None) -> None:
    staff = db.session.get(Staff, staff_id)
    if staff is None:
        raise StaffError("no such account", "missing")
    if staff_id == actor_id:
        raise StaffError("an admin cannot disable their own account", "self")
    disable_staff(staff.email, actor_id, ip)
