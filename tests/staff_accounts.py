"""Members of staff with the second factor on, made with the service's own functions, for tests and
benchmarks that log in as staff do (password, then a TOTP code)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import pyotp

from intake.staff.second_factor import new_secret
from intake.staff.services import create_staff
from intake.types import utcnow
from intake.unit_of_work import commit


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    totp_secret: str
    name: str = ""

    def code(self) -> str:
        return pyotp.TOTP(self.totp_secret).now()


def make_account(
    role: str, email: str | None = None, language: str = "fr", name: str | None = None
) -> Account:
    """A member of staff with the second factor on (inside an app context; committed)."""
    email = email or f"bench-{role}@police.example.ma"
    name = name or f"Bench {role.title()}"
    password = secrets.token_urlsafe(18)
    staff = create_staff(email, name, role, password, language)
    commit()
    secret = new_secret()
    staff.totp_secret = secret
    staff.totp_enabled_at = utcnow()
    commit()
    return Account(email, password, secret, name)
